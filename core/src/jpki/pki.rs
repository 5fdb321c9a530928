//! Card certificates as the eligibility side reads them (serial, validity, issuer, the
//! signature checks), and the names of the clearly fake test PKI (`O=JPKI-TEST … NOT
//! JPKI`) whose CA, `TestPki`, lives in `test_ca.rs` behind cargo feature `sim`.

use crate::date::Date;
use der::{Decode, Encode};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use x509_cert::time::Time;
use x509_cert::Certificate;

pub const TEST_CA_DN: &str =
    "OU=TEST Agency (NOT JPKI),OU=JPKI for user authentication,O=JPKI-TEST,C=JP";
pub const TEST_LEAF_DN: &str = "CN=TEST user authentication,C=JP";

/// The test CA and its card certificates (the simulators' and tests' only: cargo feature
/// `sim`, so the clinic's WebAssembly links no key generation or certificate builder).
#[cfg(feature = "sim")]
pub use super::test_ca::TestPki;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiError(pub String);

impl core::fmt::Display for PkiError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "certificate error: {}", self.0)
    }
}

impl std::error::Error for PkiError {}

pub(super) fn err<E: core::fmt::Display>(e: E) -> PkiError {
    PkiError(e.to_string())
}

/// What the eligibility side needs from a card certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardCertificate {
    /// Serial as upper-case hex of the INTEGER's content, one leading 00 stripped.
    pub serial_hex: String,
    pub not_before: Option<Date>,
    pub not_after: Option<Date>,
    pub issuer: String,
    public_key: RsaPublicKey,
    tbs_der: Vec<u8>,
    signature: Vec<u8>,
}

fn time_to_date(t: &Time) -> Option<Date> {
    let dt = t.to_date_time();
    Date::new(i32::from(dt.year()), dt.month(), dt.day()).ok()
}

impl CardCertificate {
    pub fn parse(der_bytes: &[u8]) -> Result<CardCertificate, PkiError> {
        let cert = Certificate::from_der(der_bytes).map_err(err)?;
        let tbs = &cert.tbs_certificate;
        let mut serial = tbs.serial_number.as_bytes();
        if serial.len() > 1 && serial[0] == 0 {
            serial = &serial[1..];
        }
        let spki_der = tbs.subject_public_key_info.to_der().map_err(err)?;
        let public_key = RsaPublicKey::from_public_key_der(&spki_der).map_err(err)?;
        Ok(CardCertificate {
            serial_hex: serial.iter().map(|b| format!("{b:02X}")).collect(),
            not_before: time_to_date(&tbs.validity.not_before),
            not_after: time_to_date(&tbs.validity.not_after),
            issuer: tbs.issuer.to_string(),
            public_key,
            tbs_der: tbs.to_der().map_err(err)?,
            signature: cert.signature.raw_bytes().to_vec(),
        })
    }

    /// Was this certificate signed by `ca_der`'s key?
    pub fn issued_by(&self, ca_der: &[u8]) -> bool {
        let Ok(ca) = Certificate::from_der(ca_der) else {
            return false;
        };
        let Ok(spki_der) = ca.tbs_certificate.subject_public_key_info.to_der() else {
            return false;
        };
        let Ok(ca_key) = RsaPublicKey::from_public_key_der(&spki_der) else {
            return false;
        };
        let hash = Sha256::digest(&self.tbs_der);
        ca_key
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &self.signature)
            .is_ok()
    }

    /// Does `signature` over `message` (SHA-256, PKCS#1 v1.5) verify with this certificate's key?
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let hash = Sha256::digest(message);
        self.public_key
            .verify(Pkcs1v15Sign::new::<Sha256>(), &hash, signature)
            .is_ok()
    }

    pub fn valid_on(&self, day: Date) -> bool {
        self.not_before.is_none_or(|s| s <= day) && self.not_after.is_none_or(|e| day <= e)
    }
}
