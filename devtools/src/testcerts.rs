//! Test certificates for the simulated eligibility service and its clients, so trainers and
//! tests get mutual TLS on loopback with nothing from outside: a service CA and server
//! certificate (localhost, 127.0.0.1, service.ukemi.test for the proxy test), a clinic CA with a valid and an expired clinic
//! certificate, and a rogue CA with a certificate the service must refuse.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use std::path::Path;

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

struct Issuer {
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn ca(name: &str) -> Result<Issuer, String> {
    let key = KeyPair::generate().map_err(err)?;
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, name);
    p.distinguished_name
        .push(DnType::OrganizationName, "Ukemi TEST (not for production)");
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = rcgen::date_time_ymd(2020, 1, 1);
    p.not_after = rcgen::date_time_ymd(2045, 1, 1);
    let cert = p.self_signed(&key).map_err(err)?;
    Ok(Issuer { cert, key })
}

fn leaf(
    issuer: &Issuer,
    name: &str,
    sans: &[&str],
    usage: ExtendedKeyUsagePurpose,
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
) -> Result<(String, String), String> {
    let key = KeyPair::generate().map_err(err)?;
    let mut p = CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        .map_err(err)?;
    p.distinguished_name.push(DnType::CommonName, name);
    p.extended_key_usages = vec![usage];
    p.not_before = rcgen::date_time_ymd(not_before.0, not_before.1, not_before.2);
    p.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    let cert = p.signed_by(&key, &issuer.cert, &issuer.key).map_err(err)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Writes the test certificates into `dir` and returns their names.
pub fn generate(dir: &Path) -> Result<Vec<&'static str>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let service_ca = ca("Ukemi TEST eligibility service CA")?;
    let clinic_ca = ca("Ukemi TEST clinic CA")?;
    let rogue_ca = ca("Somebody else's CA")?;
    let far = (2044, 12, 31);
    let now_ish = (2024, 1, 1);
    let (server, server_key) = leaf(
        &service_ca,
        "localhost",
        &["localhost", "127.0.0.1", "service.ukemi.test"],
        ExtendedKeyUsagePurpose::ServerAuth,
        now_ish,
        far,
    )?;
    let (client, client_key) = leaf(
        &clinic_ca,
        "TEST 施術所 1310000000",
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
        now_ish,
        far,
    )?;
    let (expired, expired_key) = leaf(
        &clinic_ca,
        "TEST expired clinic",
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
        (2020, 1, 1),
        (2021, 1, 1),
    )?;
    let (rogue, rogue_key) = leaf(
        &rogue_ca,
        "TEST rogue clinic",
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
        now_ish,
        far,
    )?;
    let (rogue_server, rogue_server_key) = leaf(
        &rogue_ca,
        "localhost",
        &["localhost", "127.0.0.1"],
        ExtendedKeyUsagePurpose::ServerAuth,
        now_ish,
        far,
    )?;
    let files: Vec<(&'static str, String)> = vec![
        ("service-ca.pem", service_ca.cert.pem()),
        ("clinic-ca.pem", clinic_ca.cert.pem()),
        ("rogue-ca.pem", rogue_ca.cert.pem()),
        ("server.pem", server),
        ("server-key.pem", server_key),
        ("client.pem", client),
        ("client-key.pem", client_key),
        ("client-expired.pem", expired),
        ("client-expired-key.pem", expired_key),
        ("rogue-client.pem", rogue),
        ("rogue-client-key.pem", rogue_key),
        ("rogue-server.pem", rogue_server),
        ("rogue-server-key.pem", rogue_server_key),
    ];
    for (name, pem) in &files {
        std::fs::write(dir.join(name), pem).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(files.into_iter().map(|(n, _)| n).collect())
}
