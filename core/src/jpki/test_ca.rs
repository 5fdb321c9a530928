//! The test CA: a clearly fake JPKI-shaped CA (`O=JPKI-TEST … NOT JPKI`) and the card
//! certificates it issues. Keys come from the caller's RNG (seeded for reproducible
//! simulators), dates from the caller. Only with cargo feature `sim` (simulators, tests).

use super::pki::{err, PkiError, TEST_CA_DN, TEST_LEAF_DN};
use crate::date::Date;
use der::asn1::{GeneralizedTime, UtcTime};
use der::{Decode, Encode};
use rand_core::CryptoRngCore;
use rsa::pkcs1v15::SigningKey;
use rsa::RsaPrivateKey;
use rsa::RsaPublicKey;
use sha2::Sha256;
use spki::SubjectPublicKeyInfoOwned;
use std::str::FromStr;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::Certificate;

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
