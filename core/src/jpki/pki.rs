//! A test PKI shaped like JPKI's user-authentication hierarchy but clearly fake
//! (`O=JPKI-TEST … NOT JPKI`): a CA, and per-card leaf certificates. Keys come from the
//! caller's RNG (seeded for reproducible simulators), dates from the caller.

use crate::date::Date;
use der::asn1::{GeneralizedTime, UtcTime};
use der::{Decode, Encode};
use rand_core::CryptoRngCore;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoOwned;
use std::str::FromStr;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

pub const TEST_CA_DN: &str =
    "OU=TEST Agency (NOT JPKI),OU=JPKI for user authentication,O=JPKI-TEST,C=JP";
pub const TEST_LEAF_DN: &str = "CN=TEST user authentication,C=JP";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiError(pub String);

impl core::fmt::Display for PkiError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "certificate error: {}", self.0)
    }
}

impl std::error::Error for PkiError {}

fn err<E: core::fmt::Display>(e: E) -> PkiError {
    PkiError(e.to_string())
}

fn time(d: Date) -> Result<Time, PkiError> {
    let dt = der::DateTime::new(d.year() as u16, d.month(), d.day(), 0, 0, 0).map_err(err)?;
    // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
    if d.year() < 2050 {
        Ok(Time::UtcTime(UtcTime::from_date_time(dt).map_err(err)?))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

fn spki_of(key: &RsaPublicKey) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    SubjectPublicKeyInfoOwned::from_key(key.clone()).map_err(err)
}

/// The test CA plus one card key pair shared by all simulated cards (each card still has
/// its own certificate and serial; sharing the key keeps start-up under a second).
pub struct TestPki {
    pub ca_key: RsaPrivateKey,
    pub ca_cert: Vec<u8>,
    pub card_key: RsaPrivateKey,
}

impl TestPki {
    /// Generates the CA (valid 20 years from `today`) and the card key.
    pub fn generate(rng: &mut impl CryptoRngCore, today: Date) -> Result<TestPki, PkiError> {
        let ca_key = RsaPrivateKey::new(rng, 2048).map_err(err)?;
        let card_key = RsaPrivateKey::new(rng, 2048).map_err(err)?;
        let validity = Validity {
            not_before: time(today.add_days(-365 * 5))?,
            not_after: time(today.add_days(365 * 20))?,
        };
        let signer = SigningKey::<Sha256>::new(ca_key.clone());
        let subject = Name::from_str(TEST_CA_DN).map_err(err)?;
        let builder = CertificateBuilder::new(
            Profile::Root,
            SerialNumber::from(1u32),
            validity,
            subject,
            spki_of(&ca_key.to_public_key())?,
            &signer,
        )
        .map_err(err)?;
        let cert = builder.build::<rsa::pkcs1v15::Signature>().map_err(err)?;
        Ok(TestPki {
            ca_key,
            ca_cert: cert.to_der().map_err(err)?,
            card_key,
        })
    }

    /// A user-authentication certificate for a card, with the given serial and validity.
    pub fn issue_card_certificate(
        &self,
        serial: &[u8],
        not_before: Date,
        not_after: Date,
    ) -> Result<Vec<u8>, PkiError> {
        let ca = Certificate::from_der(&self.ca_cert).map_err(err)?;
        let signer = SigningKey::<Sha256>::new(self.ca_key.clone());
        let builder = CertificateBuilder::new(
            Profile::Leaf {
                issuer: ca.tbs_certificate.subject.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
            SerialNumber::new(serial).map_err(err)?,
            Validity {
                not_before: time(not_before)?,
                not_after: time(not_after)?,
            },
            Name::from_str(TEST_LEAF_DN).map_err(err)?,
            spki_of(&self.card_key.to_public_key())?,
            &signer,
        )
        .map_err(err)?;
        let cert = builder.build::<rsa::pkcs1v15::Signature>().map_err(err)?;
        cert.to_der().map_err(err)
    }
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
