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
    /// False when this very check was already on record (registered twice, imported again):
    /// then nothing changed.
    pub check_added: bool,
    /// The check is older than one on record: it joined the history and changed nothing
    /// current (name, address, the insurance in force).
    pub older: bool,
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

/// The same check: everything but when the page recorded it.
fn same_check(a: &CheckEntry, b: &CheckEntry) -> bool {
    a.checked_on == b.checked_on
        && a.reference == b.reference
        && a.validity == b.validity
        && a.insurer_number == b.insurer_number
        && a.notice == b.notice
}

fn same_card(a: &Insurance, b: &Insurance) -> bool {
    a.insurer_number == b.insurer_number
        && a.symbol == b.symbol
        && a.number == b.number
        && same_branch(a.branch.as_deref(), b.branch.as_deref())
}

/// Adds the check unless it is already on record; the history stays in date order.
fn record_check(p: &mut PatientRecord, check: CheckEntry) -> bool {
    if p.checks.iter().any(|c| same_check(c, &check)) {
        return false;
    }
    p.checks.push(check);
    p.checks
        .sort_by(|a, b| (a.checked_on, &a.at).cmp(&(b.checked_on, &b.at)));
    true
}

impl Book {
    /// Registers qualification `index` of `result` (see
    /// [`EligibilityResult::default_choice`] for the page's default).
    pub(super) fn register(
        &mut self,
        result: &EligibilityResult,
        index: usize,
        at: &str,
    ) -> Result<Registration, RecordError> {
        let q = result
            .qualifications
            .get(index)
            .ok_or(RecordError::NothingToRegister)?;
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
            // A check older than one on record (an import of last week's checks) joins the
            // history; what is current stays as the newer check left it.
            let older = p.checks.iter().any(|c| c.checked_on > result.checked_on);
            if older {
                if !p
                    .insurances
                    .iter()
                    .any(|e| same_card(&e.insurance, &insurance))
                {
                    let at = p
                        .insurances
                        .iter()
                        .position(|e| e.since > result.checked_on)
                        .unwrap_or(p.insurances.len());
                    p.insurances.insert(
                        at,
                        InsuranceEntry {
                            since: result.checked_on,
                            insurer_name: q.insurer_name.clone(),
                            insurance,
                        },
                    );
                }
                let check_added = record_check(p, check);
                return Ok(Registration {
                    patient_id: p.id.clone(),
                    name: p.name.clone(),
                    created: false,
                    changes: Vec::new(),
                    check_added,
                    older: true,
                });
            }
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
            // A new 負担割合 on the same card (70歳 → 高齢受給者 from the next month, the
            // yearly 判定) starts a new entry too: the months before the check keep the rate
            // they were treated and paid under (docs/claims.md, "負担割合 by month"). A card
            // typed by hand and never checked is corrected in place: the check is its reading.
            let checked_before = !p.checks.is_empty();
            let same = b.is_some_and(|i| {
                same_card(i, &insurance)
                    && (!checked_before
                        || (i.copay_percent == insurance.copay_percent
                            && i.elderly_recipient == insurance.elderly_recipient))
            });
            match p.insurances.last_mut() {
                Some(last) if same => {
                    last.insurance = insurance;
                    last.insurer_name = q.insurer_name.clone();
                }
                _ => p.insurances.push(InsuranceEntry {
                    since: result.checked_on,
                    insurer_name: q.insurer_name.clone(),
                    insurance,
                }),
            }
            let check_added = record_check(p, check);
            return Ok(Registration {
                patient_id: p.id.clone(),
                name: p.name.clone(),
                created: false,
                changes,
                check_added,
                older: false,
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
            check_added: true,
            older: false,
        })
    }
}
