//! A check result becomes a patient: matched to an existing one, or new; what changed is
//! listed so reception can see a moved address or a new insurer at a glance.

use super::{squash, Book, CheckEntry, InsuranceEntry, PatientRecord, RecordError};
use crate::claims::{Insurance, PatientSex};
use crate::eligibility::{EligibilityResult, PersonalFamily, Qualification, Sex};
use serde::{Deserialize, Serialize};

/// One field that differs from what the book had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Stable key (`address`, `insurer_number`, …) for tests and styling.
    pub field: String,
    pub label_ja: String,
    pub label_en: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub patient_id: String,
    pub name: String,
    pub created: bool,
    pub changes: Vec<Change>,
}

fn sex_of(s: Sex) -> Option<PatientSex> {
    match s {
        Sex::Male => Some(PatientSex::Male),
        Sex::Female => Some(PatientSex::Female),
        Sex::Unset => None,
    }
}

/// The insurance as the claim forms need it, from one qualification.
pub(crate) fn insurance_of(q: &Qualification) -> Insurance {
    let holder_name = match (q.personal_family, &q.insured_name) {
        (_, Some(n)) if !n.trim().is_empty() => n.clone(),
        (PersonalFamily::Insured, _) => q.name.clone(),
        _ => String::new(),
    };
    Insurance {
        insurer_number: q.insurer_number.trim().to_string(),
        symbol: q.symbol.clone().unwrap_or_default(),
        number: q.number.clone(),
        branch: q.branch.clone(),
        holder_name,
        holder_address: q.address.clone().unwrap_or_default(),
        person: q.personal_family,
        // The service may not say; 3割 is the common case and the form shows it for checking.
        copay_percent: q.effective_contribution_percent().unwrap_or(30),
        elderly_recipient: q.elderly.is_some(),
        valid_from: q.valid_from.or(q.qualification_date),
        valid_until: q
            .valid_until
            .or(q.disqualification_date.map(|d| d.add_days(-1))),
    }
}

/// Same person: same birthdate and the same name or カナ (spaces ignored), or the same
/// insurance numbers.
fn same_person(p: &PatientRecord, q: &Qualification) -> bool {
    if p.birth_date != q.birthdate {
        return false;
    }
    let kana = |s: &str| squash(&crate::text::to_fullwidth_kana(s));
    let same_name = squash(&p.name) == squash(&q.name)
        || (!p.name_kana.is_empty() && kana(&p.name_kana) == kana(&q.name_kana));
    let same_numbers = p.insurances.iter().any(|e| {
        e.insurance.insurer_number == q.insurer_number.trim()
            && e.insurance.number == q.number
            && same_branch(e.insurance.branch.as_deref(), q.branch.as_deref())
    });
    same_name || same_numbers
}

/// 枝番 tells family members apart under one number; a side without one (typed from a card
/// that has none printed) does not contradict the other, the birthdate already matched.
pub(super) fn same_branch(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.trim() == b.trim(),
        _ => true,
    }
}

fn change(field: &str, ja: &str, en: &str, before: &str, after: &str) -> Option<Change> {
    (before != after).then(|| Change {
        field: field.into(),
        label_ja: ja.into(),
        label_en: en.into(),
        before: before.into(),
        after: after.into(),
    })
}

fn symbol_number(i: &Insurance) -> String {
    let mut s = if i.symbol.is_empty() {
        i.number.clone()
    } else {
        format!("{}・{}", i.symbol, i.number)
    };
    if let Some(b) = &i.branch {
        s.push_str(&format!("（{b}）"));
    }
    s
}

impl Book {
    pub(super) fn register(
        &mut self,
        result: &EligibilityResult,
        at: &str,
    ) -> Result<Registration, RecordError> {
        let q = result.primary().ok_or(RecordError::NothingToRegister)?;
        let insurance = insurance_of(q);
        let check = CheckEntry {
            at: at.to_string(),
            checked_on: result.checked_on,
            reference: result.reference,
            validity: result.validity,
            insurer_number: insurance.insurer_number.clone(),
            notice: result.notice.clone(),
        };
        let address = q.address.clone().unwrap_or_default();
        let postal = q.postal_code.clone().unwrap_or_default();
        if let Some(p) = self.patients.iter_mut().find(|p| same_person(p, q)) {
            let mut changes = Vec::new();
            changes.extend(change("name", "氏名", "Name", &p.name, &q.name));
            changes.extend(change(
                "name_kana",
                "カナ",
                "Kana",
                &p.name_kana,
                &q.name_kana,
            ));
            // An answer without an address does not erase the one we have.
            if !address.is_empty() {
                changes.extend(change("address", "住所", "Address", &p.address, &address));
                p.address = address;
            }
            if !postal.is_empty() {
                changes.extend(change(
                    "postal_code",
                    "郵便番号",
                    "Postal code",
                    &p.postal_code,
                    &postal,
                ));
                p.postal_code = postal;
            }
            let before = p.insurance().map(|e| e.insurance.clone());
            let b = before.as_ref();
            let text = |f: &dyn Fn(&Insurance) -> String| b.map(f).unwrap_or_default();
            changes.extend(change(
                "insurer_number",
                "保険者番号",
                "Insurer number",
                &text(&|i| i.insurer_number.clone()),
                &insurance.insurer_number,
            ));
            changes.extend(change(
                "symbol_number",
                "記号・番号",
                "Symbol and number",
                &text(&symbol_number),
                &symbol_number(&insurance),
            ));
            changes.extend(change(
                "copay_percent",
                "負担割合",
                "Co-payment",
                &text(&|i| format!("{}割", i.copay_percent / 10)),
                &format!("{}割", insurance.copay_percent / 10),
            ));
            changes.extend(change(
                "valid_until",
                "有効期限",
                "Valid until",
                &text(&|i| i.valid_until.map(|d| d.wareki()).unwrap_or_default()),
                &insurance
                    .valid_until
                    .map(|d| d.wareki())
                    .unwrap_or_default(),
            ));
            p.name = q.name.clone();
            p.name_kana = q.name_kana.clone();
            if let Some(s) = sex_of(q.sex) {
                p.sex = Some(s);
            }
            // Same insurance: refresh it in place (a corrected address or period); another
            // insurer or number starts a new entry so the history shows the switch.
            // A typed entry without 枝番 is the same card: refreshed, it gains the 枝番.
            let same_card = b.is_some_and(|i| {
                i.insurer_number == insurance.insurer_number
                    && i.symbol == insurance.symbol
                    && i.number == insurance.number
                    && same_branch(i.branch.as_deref(), insurance.branch.as_deref())
            });
            match p.insurances.last_mut() {
                Some(last) if same_card => {
                    last.insurance = insurance;
                    last.insurer_name = q.insurer_name.clone();
                }
                _ => p.insurances.push(InsuranceEntry {
                    since: result.checked_on,
                    insurer_name: q.insurer_name.clone(),
                    insurance,
                }),
            }
            p.checks.push(check);
            return Ok(Registration {
                patient_id: p.id.clone(),
                name: p.name.clone(),
                created: false,
                changes,
            });
        }
        let id = self.fresh_id("p");
        self.patients.push(PatientRecord {
            id: id.clone(),
            name: q.name.clone(),
            name_kana: q.name_kana.clone(),
            birth_date: q.birthdate,
            sex: sex_of(q.sex),
            address,
            postal_code: postal,
            insurances: vec![InsuranceEntry {
                since: result.checked_on,
                insurer_name: q.insurer_name.clone(),
                insurance,
            }],
            checks: vec![check],
            public_funds: Vec::new(),
        });
        Ok(Registration {
            patient_id: id,
            name: q.name.clone(),
            created: true,
            changes: Vec::new(),
        })
    }
}
