//! A patient typed in by hand from the 資格確認書 (or an old 保険証) when no online check can be
//! made — the service is down, the companion is not running yet — so the clinic can still treat
//! and record. The numbers are checked as far as they can be offline (the insurer number's
//! 検証番号); the month's claims say that this patient has no online check on record until a
//! later check matches them (`register.rs` updates the same patient then).

use super::{squash, Book, InsuranceEntry, PatientRecord, RecordError, Registration};
use crate::claims::{Insurance, PatientSex};
use crate::date::Date;
use crate::eligibility::{validate_insurer_number, PersonalFamily};
use serde::{Deserialize, Serialize};

/// What reception types for a patient without an online check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPatient {
    pub name: String,
    #[serde(default)]
    pub name_kana: String,
    pub birth_date: Date,
    #[serde(default)]
    pub sex: Option<PatientSex>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub insurer_name: String,
    pub insurance: Insurance,
}

/// The warning a claim carries while its patient has no eligibility check on record.
pub const UNCHECKED_WARNING_JA: &str = "オンライン資格確認の記録がありません（手入力で登録した患者）。資格確認書等で資格を確かめたか確認し、できるときに資格確認をしてください。";

fn trimmed(s: &str) -> String {
    s.trim().to_string()
}

impl NewPatient {
    /// Trimmed, the insurer number's check digit verified, the 被保険者氏名 filled in for 本人.
    fn validated(&self) -> Result<NewPatient, RecordError> {
        let name = trimmed(&self.name);
        if squash(&name).is_empty() {
            return Err(RecordError::NameRequired);
        }
        let insurer_number =
            validate_insurer_number(&self.insurance.insurer_number).map_err(|e| {
                RecordError::InsurerNumber {
                    message_ja: e.message_ja(),
                }
            })?;
        let number = trimmed(&self.insurance.number);
        if number.is_empty() {
            return Err(RecordError::InsuredNumberRequired);
        }
        if ![0, 10, 20, 30].contains(&self.insurance.copay_percent) {
            return Err(RecordError::CopayPercent {
                percent: self.insurance.copay_percent,
            });
        }
        if let (Some(from), Some(until)) = (self.insurance.valid_from, self.insurance.valid_until) {
            if until < from {
                return Err(RecordError::ValidityPeriod);
            }
        }
        let address = trimmed(&self.address);
        let mut holder_name = trimmed(&self.insurance.holder_name);
        if holder_name.is_empty() && self.insurance.person == PersonalFamily::Insured {
            holder_name = name.clone();
        }
        let mut holder_address = trimmed(&self.insurance.holder_address);
        if holder_address.is_empty() && self.insurance.person == PersonalFamily::Insured {
            holder_address = address.clone();
        }
        Ok(NewPatient {
            name,
            name_kana: trimmed(&self.name_kana),
            birth_date: self.birth_date,
            sex: self.sex,
            address,
            postal_code: trimmed(&self.postal_code),
            insurer_name: trimmed(&self.insurer_name),
            insurance: Insurance {
                insurer_number,
                symbol: trimmed(&self.insurance.symbol),
                number,
                branch: self
                    .insurance
                    .branch
                    .as_deref()
                    .map(str::trim)
                    .filter(|b| !b.is_empty())
                    .map(str::to_string),
                holder_name,
                holder_address,
                ..self.insurance.clone()
            },
        })
    }
}

/// Same person as one already in the book: the same birthdate and name or カナ, or the same
/// insurance numbers (a second registration would split their history).
fn already(p: &PatientRecord, n: &NewPatient) -> bool {
    if p.birth_date != n.birth_date {
        return false;
    }
    let kana = |s: &str| squash(&crate::text::to_fullwidth_kana(s));
    squash(&p.name) == squash(&n.name)
        || (!n.name_kana.is_empty() && kana(&p.name_kana) == kana(&n.name_kana))
        || p.insurances.iter().any(|e| {
            e.insurance.insurer_number == n.insurance.insurer_number
                && e.insurance.number == n.insurance.number
                && super::register::same_branch(
                    e.insurance.branch.as_deref(),
                    n.insurance.branch.as_deref(),
                )
        })
}

impl Book {
    pub(super) fn add_patient(
        &mut self,
        typed: &NewPatient,
        on: Date,
    ) -> Result<Registration, RecordError> {
        let n = typed.validated()?;
        if let Some(p) = self.patients.iter().find(|p| already(p, &n)) {
            return Err(RecordError::AlreadyRegistered {
                id: p.id.clone(),
                name: p.name.clone(),
            });
        }
        let id = self.fresh_id("p");
        self.patients.push(PatientRecord {
            id: id.clone(),
            name: n.name.clone(),
            name_kana: n.name_kana,
            birth_date: n.birth_date,
            sex: n.sex,
            address: n.address,
            postal_code: n.postal_code,
            insurances: vec![InsuranceEntry {
                since: on,
                insurer_name: n.insurer_name,
                insurance: n.insurance,
            }],
            checks: Vec::new(),
            public_funds: Vec::new(),
        });
        Ok(Registration {
            patient_id: id,
            name: n.name,
            created: true,
            changes: Vec::new(),
            check_added: false,
            older: false,
        })
    }
}
