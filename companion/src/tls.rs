//! Mutual TLS for the eligibility relay: the clinic's client certificate and key (PEM), the
//! CA that must have signed the service's certificate. rustls with the ring provider; no
//! OpenSSL. (The simulated service's server side lives in `devtools/`.)

use rustls::client::ClientConfig;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use ukemi_core::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsError {
    Missing(PathBuf),
    Unreadable { path: PathBuf, why: String },
    NoCertificate(PathBuf),
    NoKey(PathBuf),
    Expired { path: PathBuf, not_after: Date },
    NotYetValid { path: PathBuf, not_before: Date },
    Config(String),
}

impl std::fmt::Display for TlsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TlsError::Missing(p) => write!(f, "ファイルがありません / file missing: {}", p.display()),
            TlsError::Unreadable { path, why } => {
                write!(f, "ファイルを読めません / cannot read {}: {why}", path.display())
            }
            TlsError::NoCertificate(p) => {
                write!(f, "証明書が入っていません / no certificate in {}", p.display())
            }
            TlsError::NoKey(p) => write!(f, "秘密鍵が入っていません / no private key in {}", p.display()),
            TlsError::Expired { path, not_after } => write!(
                f,
                "証明書の有効期限が切れています（{}まで）/ certificate expired on {not_after}: {}",
                not_after.wareki(),
                path.display()
            ),
            TlsError::NotYetValid { path, not_before } => write!(
                f,
                "証明書はまだ有効ではありません（{}から）/ certificate not valid before {not_before}: {}",
                not_before.wareki(),
                path.display()
            ),
            TlsError::Config(why) => write!(f, "TLS の設定に誤りがあります / TLS configuration: {why}"),
        }
    }
}

impl std::error::Error for TlsError {}

pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn check_file(path: &Path) -> Result<(), TlsError> {
    if path.is_file() {
        Ok(())
    } else {
        Err(TlsError::Missing(path.to_path_buf()))
    }
}

pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    check_file(path)?;
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Unreadable {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate(path.to_path_buf()));
    }
    Ok(certs)
}

pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    check_file(path)?;
    PrivateKeyDer::from_pem_file(path).map_err(|_| TlsError::NoKey(path.to_path_buf()))
}

/// The validity period of a DER certificate, as calendar days.
pub fn validity(der: &[u8]) -> Option<(Date, Date)> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let day = |t: &x509_cert::time::Time| {
        let dt = t.to_date_time();
        Date::new(i32::from(dt.year()), dt.month(), dt.day()).ok()
    };
    let v = &cert.tbs_certificate.validity;
    Some((day(&v.not_before)?, day(&v.not_after)?))
}

/// The subject's common name (UTF8String, PrintableString, IA5String or TeletexString).
pub fn subject_cn(der: &[u8]) -> Option<String> {
    use der::asn1::{
        Ia5StringRef, ObjectIdentifier, PrintableStringRef, TeletexStringRef, Utf8StringRef,
    };
    use der::Decode;
    const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    let subject = &cert.tbs_certificate.subject;
    let value = subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .find(|atv| atv.oid == CN)
        .map(|atv| &atv.value)?;
    value
        .decode_as::<Utf8StringRef<'_>>()
        .map(|s| s.to_string())
        .or_else(|_| {
            value
                .decode_as::<PrintableStringRef<'_>>()
                .map(|s| s.to_string())
        })
        .or_else(|_| value.decode_as::<Ia5StringRef<'_>>().map(|s| s.to_string()))
        .or_else(|_| {
            value
                .decode_as::<TeletexStringRef<'_>>()
                .map(|s| s.to_string())
        })
        .ok()
}

/// Refuses a certificate (the first in the file) that is not valid on `today`.
pub fn check_valid(
    path: &Path,
    certs: &[CertificateDer<'_>],
    today: Date,
) -> Result<(Date, Date), TlsError> {
    let first = certs
        .first()
        .ok_or_else(|| TlsError::NoCertificate(path.to_path_buf()))?;
    let (nb, na) = validity(first).ok_or_else(|| TlsError::Unreadable {
        path: path.to_path_buf(),
        why: "not an X.509 certificate".into(),
    })?;
    if today > na {
        return Err(TlsError::Expired {
            path: path.to_path_buf(),
            not_after: na,
        });
    }
    if today < nb {
        return Err(TlsError::NotYetValid {
            path: path.to_path_buf(),
            not_before: nb,
        });
    }
    Ok((nb, na))
}

pub fn roots(ca: &Path) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    for c in load_certs(ca)? {
        store
            .add(c)
            .map_err(|e| TlsError::Config(format!("{}: {e}", ca.display())))?;
    }
    Ok(store)
}

/// The clinic's certificate chain and private key.
pub struct Identity {
    pub certs: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    /// Where it came from, for messages.
    pub source: PathBuf,
}

impl Identity {
    /// PEM certificate (chain) and PEM private key.
    pub fn from_pem(cert: &Path, key: &Path) -> Result<Identity, TlsError> {
        Ok(Identity {
            certs: load_certs(cert)?,
            key: load_key(key)?,
            source: cert.to_path_buf(),
        })
    }

    /// A PKCS#12 (.p12/.pfx) file, as certificate authorities hand them out.
    pub fn from_pkcs12(path: &Path, password: &str) -> Result<Identity, TlsError> {
        check_file(path)?;
        let data = std::fs::read(path).map_err(|e| TlsError::Unreadable {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
        let contents = crate::pkcs12::parse(&data, password).map_err(|e| TlsError::Unreadable {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
        let certs: Vec<CertificateDer<'static>> = contents
            .certs
            .into_iter()
            .map(CertificateDer::from)
            .collect();
        let key = PrivateKeyDer::Pkcs8(contents.key_pkcs8.to_vec().into());
        Ok(Identity {
            certs,
            key,
            source: path.to_path_buf(),
        })
    }
}

/// The relay's side: trusts only `ca` for the server, presents the clinic's certificate.
pub fn client_config(
    ca: &Path,
    identity: Identity,
    today: Date,
) -> Result<Arc<ClientConfig>, TlsError> {
    check_valid(&identity.source, &identity.certs, today)?;
    let (certs, key) = (identity.certs, identity.key);
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_root_certificates(roots(ca)?)
        .with_client_auth_cert(certs, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(Arc::new(config))
}
