//! The simulated eligibility service: answers card checks (verifying the card's
//! certificate against the test CA and its signature over the challenge) and checks by
//! insurance numbers, from the synthetic population.

use super::population::{validity_of, Population, Scenario, SimPerson};
use crate::date::Date;
use crate::eligibility::{EligibilityResult, InsuranceQuery, QualificationValidity, ReferenceKind};
use crate::jpki::pki::CardCertificate;
use crate::protocol::ErrorCode;
use rand_core::RngCore;
use std::collections::VecDeque;

pub use crate::engine::{CardCheck, ServiceError};

/// An answer, and how long a real service would have taken (the `slow` persona); the
/// caller decides whether to wait.
pub struct Answer {
    pub result: Result<EligibilityResult, ServiceError>,
    pub delay_ms: u64,
}

pub struct SimService {
    pub population: Population,
    ca_cert: Vec<u8>,
    challenges: VecDeque<Vec<u8>>,
}

const SLOW_MS: u64 = 3_000;

impl SimService {
    pub fn new(population: Population, ca_cert: Vec<u8>) -> SimService {
        SimService {
            population,
            ca_cert,
            challenges: VecDeque::new(),
        }
    }

    /// A fresh 32-byte challenge; the last 16 stay valid (one use each).
    pub fn challenge(&mut self, rng: &mut impl RngCore) -> Vec<u8> {
        let mut c = vec![0u8; 32];
        rng.fill_bytes(&mut c);
        if self.challenges.len() >= 16 {
            self.challenges.pop_front();
        }
        self.challenges.push_back(c.clone());
        c
    }

    fn take_challenge(&mut self, c: &[u8]) -> bool {
        match self.challenges.iter().position(|x| x == c) {
            Some(i) => {
                self.challenges.remove(i);
                true
            }
            None => false,
        }
    }

    pub fn check_by_card(&mut self, check: &CardCheck<'_>, today: Date) -> Answer {
        let result = self.card_result(check, today);
        let delay_ms = match &result {
            Ok(r)
                if r.card_serial
                    .as_deref()
                    .and_then(|s| self.population.by_serial(s))
                    .is_some_and(|p| p.scenario == Scenario::Slow) =>
            {
                SLOW_MS
            }
            _ => 0,
        };
        Answer { result, delay_ms }
    }

    fn card_result(
        &mut self,
        check: &CardCheck<'_>,
        today: Date,
    ) -> Result<EligibilityResult, ServiceError> {
        let cert = CardCertificate::parse(check.certificate)
            .map_err(|_| ServiceError::upstream("E-CERT", "電子証明書を読み取れません"))?;
        if !cert.issued_by(&self.ca_cert) {
            return Err(ServiceError::upstream(
                "E-CERT-CA",
                "電子証明書の発行者を確認できません",
            ));
        }
        let reference = match check.signed_challenge {
            Some((challenge, signature)) => {
                if !self.take_challenge(challenge) {
                    return Err(ServiceError::upstream(
                        "E-CHALLENGE",
                        "照会の有効期限が切れました",
                    ));
                }
                if !cert.verifies(challenge, signature) {
                    return Err(ServiceError::upstream(
                        "E-SIGNATURE",
                        "署名を検証できません",
                    ));
                }
                ReferenceKind::CardPin
            }
            None if check.visual_confirmed => ReferenceKind::CardVisual,
            None => return Err(ServiceError::new(ErrorCode::VisualNotConfirmed)),
        };
        if !cert.valid_on(today) {
            return Err(ServiceError::new(ErrorCode::CardCertificateExpired));
        }
        let Some(person) = self.population.by_serial(&cert.serial_hex) else {
            return Ok(no_match(today, reference, Some(cert.serial_hex)));
        };
        match person.scenario {
            Scenario::CertRevoked => {
                return Err(ServiceError::new(ErrorCode::CardCertificateRevoked))
            }
            Scenario::ServiceError => {
                return Err(ServiceError::upstream(
                    "EQ0001",
                    "資格確認システムで処理中にエラーが発生しました",
                ))
            }
            Scenario::Garbage => {
                return Err(ServiceError::upstream("E-PARSE", "応答を解釈できません"))
            }
            _ => {}
        }
        Ok(result_for(person, today, reference, Some(cert.serial_hex)))
    }

    pub fn check_by_insurance(&self, query: &InsuranceQuery, today: Date) -> Answer {
        let result = query
            .normalised()
            .map_err(|(code, detail)| ServiceError { code, detail })
            .map(|q| {
                let found: Vec<&SimPerson> = self
                    .population
                    .people
                    .iter()
                    .filter(|p| {
                        p.qualifications.iter().any(|x| {
                            x.insurer_number == q.insurer_number
                                && x.number == q.number
                                && x.birthdate == q.birthdate
                                && (q.symbol.is_none() || x.symbol == q.symbol)
                                && (q.branch.is_none() || x.branch == q.branch)
                        })
                    })
                    .collect();
                match found.as_slice() {
                    [one] => result_for(one, today, ReferenceKind::InsuranceNumbers, None),
                    _ => no_match(today, ReferenceKind::InsuranceNumbers, None),
                }
            });
        Answer {
            result,
            delay_ms: 0,
        }
    }
}

impl SimService {
    /// Results of checks "made elsewhere" (e.g. in the official app) between `from` and
    /// `to`: the simulator pretends two of the first personas were checked each day, so an
    /// import always has something — with addresses — to bring in. At most 31 days.
    pub fn imported(&self, from: Date, to: Date) -> Vec<EligibilityResult> {
        let mut out = Vec::new();
        let days = from.days_until(to).clamp(0, 30);
        for d in 0..=days {
            let day = from.add_days(d);
            for p in self
                .population
                .personas()
                .take(6)
                .skip((d % 3) as usize)
                .take(2)
            {
                let validity = validity_of(p, day);
                if validity == QualificationValidity::NoMatch {
                    continue;
                }
                out.push(EligibilityResult {
                    checked_on: day,
                    reference: ReferenceKind::Imported,
                    validity,
                    qualifications: p.qualifications.clone(),
                    notice: None,
                    card_serial: None,
                });
            }
        }
        out
    }
}

fn no_match(today: Date, reference: ReferenceKind, serial: Option<String>) -> EligibilityResult {
    EligibilityResult {
        checked_on: today,
        reference,
        validity: QualificationValidity::NoMatch,
        qualifications: vec![],
        notice: None,
        card_serial: serial,
    }
}

fn result_for(
    p: &SimPerson,
    today: Date,
    reference: ReferenceKind,
    serial: Option<String>,
) -> EligibilityResult {
    let validity = validity_of(p, today);
    let qualifications = if validity == QualificationValidity::NoMatch {
        vec![]
    } else {
        p.qualifications.clone()
    };
    EligibilityResult {
        checked_on: today,
        reference,
        validity,
        qualifications,
        notice: None,
        card_serial: serial,
    }
}
