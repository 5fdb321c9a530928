//! The clinic's book: patients with their insurance and eligibility-check history, treatment
//! cases with their visits, closed months, and the clinic's settings. Pure data and the edits
//! that change it; the browser keeps it in IndexedDB (`store`), the backup file carries it
//! (`backup`), and `month` turns it into the month's claims through the claim engine.
//!
//! Every change goes through [`Book::apply`], so the rules (a closed month is read-only, a
//! case belongs to a known patient) hold whoever edits: the page, a restore, a test.

pub mod backup;
pub mod documents;
pub mod ledger;
mod manual;
pub mod month;
pub mod payments;
mod register;
pub mod returns;
pub mod store;
pub mod sync;

#[cfg(test)]
mod tests;

pub use ledger::{SelfPayItem, SelfPayLine, Takings};
pub use manual::{NewPatient, UNCHECKED_WARNING_JA};
pub use payments::{NewPayment, Payment};
pub use register::{Change, Registration};
pub use returns::{ClaimReturn, NewReturn, ReturnReason};

use crate::claims::{
    Case, ClaimInput, ClaimMonth, Clinic, Insurance, MonthlyClaim, PatientSex, Practitioner,
    PublicFund, Visit,
};
use crate::date::Date;
use crate::eligibility::{EligibilityResult, QualificationValidity, ReferenceKind};
use serde::{Deserialize, Serialize};

/// The version of the stored layout and of the backup's `data`. A change to any record's
/// shape bumps it and adds a step to `store::MIGRATIONS`.
pub const SCHEMA_VERSION: u32 = 2;

/// 施術所 and its practitioners.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub clinic: Clinic,
    pub practitioners: Vec<Practitioner>,
    /// The 自費 (non-insured) price list the window sells from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub self_pay_items: Vec<SelfPayItem>,
    /// What the clinic does (柔整, はり・きゅう, マッサージ): the kind a new 施術録 starts as.
    /// Added with a default, so older records load unchanged (no migration step).
    pub discipline: Option<crate::claims::Discipline>,
}

/// The insurance a patient had from `since` (the day it was first seen or typed) on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsuranceEntry {
    pub since: Date,
    #[serde(default)]
    pub insurer_name: String,
    pub insurance: Insurance,
}

/// One eligibility check of this patient (資格確認の履歴).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckEntry {
    /// When the page recorded it (ISO 8601, the browser's clock).
    pub at: String,
    pub checked_on: Date,
    pub reference: ReferenceKind,
    pub validity: QualificationValidity,
    pub insurer_number: String,
    #[serde(default)]
    pub notice: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientRecord {
    pub id: String,
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
    /// Oldest first; the last one is current.
    #[serde(default)]
    pub insurances: Vec<InsuranceEntry>,
    /// Oldest first.
    #[serde(default)]
    pub checks: Vec<CheckEntry>,
    #[serde(default)]
    pub public_funds: Vec<PublicFund>,
}

impl PatientRecord {
    pub fn insurance(&self) -> Option<&InsuranceEntry> {
        self.insurances.last()
    }

    /// The insurance in force on `day`: the newest entry that started on or before it (else
    /// the oldest one, for visits typed before the first check).
    pub fn insurance_on(&self, day: Date) -> Option<&InsuranceEntry> {
        self.insurances
            .iter()
            .rev()
            .find(|e| e.since <= day)
            .or_else(|| self.insurances.first())
    }

    /// Whether a typed search finds this patient: name and カナ as a receptionist types them
    /// (hiragana, half-width カナ, everyday kanji for 髙・﨑…, with or without spaces), the
    /// birthdate (西暦 or 和暦), the insurer's number or name, the insured's number.
    pub fn matches(&self, query: &str) -> bool {
        let q = squash(query);
        if q.is_empty() {
            return true;
        }
        let key = crate::text::search_key(query);
        let birth = self.birth_date.to_string();
        crate::text::search_key(&self.name).contains(&key)
            || crate::text::search_key(&self.name_kana).contains(&key)
            || birth.contains(&q)
            || self.birth_date.wareki().contains(&q)
            || self.insurances.iter().any(|e| {
                e.insurance.insurer_number.contains(&q)
                    || squash(&e.insurer_name).contains(&q)
                    || e.insurance.number.contains(&q)
            })
    }
}

/// Removes spaces of both widths, so `山田 花子`, `山田　花子` and `山田花子` compare equal.
pub(crate) fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect()
}

/// One 柔整 負傷 or あはき 傷病 case of one patient, with every visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub id: String,
    pub patient_id: String,
    pub case: Case,
    /// Sorted by date, one per day.
    #[serde(default)]
    pub visits: Vec<Visit>,
    /// What the あはき documents say in words (施術報告書, 継続理由・状態記入書, 往療内訳表).
    #[serde(default, skip_serializing_if = "documents::CaseNotes::is_empty")]
    pub notes: documents::CaseNotes,
}

/// A closed month: the claim inputs as they were when it was closed, so later edits of a case
/// cannot change what was filed, and the claims as computed then, so a later engine (a
/// corrected rule, a new fee schedule) cannot change them either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthRecord {
    pub month: ClaimMonth,
    /// `None` while open (after a reopen the history stays).
    pub closed_at: Option<String>,
    #[serde(default)]
    pub snapshot: Vec<(String, ClaimInput)>,
    /// The claims as filed, per case id. Empty for a month closed before Ukemi kept them
    /// (its claims are then computed from `snapshot`).
    #[serde(default)]
    pub frozen: Vec<(String, MonthlyClaim)>,
    /// Deliberate reopenings: when and why.
    #[serde(default)]
    pub reopened: Vec<Reopening>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reopening {
    pub at: String,
    pub reason: String,
    /// The claims whose money differs between what was filed and what the engine computes
    /// now (a corrected rule, an edited visit after the reopening is not in here).
    #[serde(default)]
    pub changes: Vec<FigureChange>,
}

/// The money of one claim as the 申請書 and the window show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub total_yen: u32,
    pub copay_yen: u32,
    pub billed_yen: u32,
    pub window_yen: u32,
}

impl Figures {
    pub fn of(c: &MonthlyClaim) -> Figures {
        Figures {
            total_yen: c.total_yen,
            copay_yen: c.copay_yen,
            billed_yen: c.billed_yen,
            window_yen: c.window_yen,
        }
    }
}

/// One claim whose money moved when a closed month was reopened and recomputed. `None`
/// is "no claim": not frozen (closed before Ukemi kept the figures) or not computable now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureChange {
    pub case_id: String,
    pub patient_name: String,
    pub filed: Option<Figures>,
    pub now: Option<Figures>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Book {
    pub settings: Settings,
    pub patients: Vec<PatientRecord>,
    pub cases: Vec<CaseRecord>,
    pub months: Vec<MonthRecord>,
    /// 返戻 of filed claims and their 再請求.
    pub returns: Vec<ClaimReturn>,
    /// 入金 from insurers and 公費負担者.
    pub payments: Vec<Payment>,
    /// The window's takings per patient and day (自費, 受領額).
    pub takings: Vec<Takings>,
    /// Ids are `p1`, `c1`…: never reused, so a restored backup and the history agree.
    pub next_id: u64,
}

/// What the page asks the book to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// A check result becomes a new patient or updates the matching one. `qualification`
    /// is the one staff chose; `None` takes [`EligibilityResult::default_choice`] and is
    /// refused when several are in force (複数該当).
    RegisterCheck {
        result: EligibilityResult,
        qualification: Option<usize>,
        at: String,
    },
    /// Results of checks made elsewhere, all in one change, oldest first; each takes its
    /// default qualification, and one with several in force is left for staff (skipped).
    RegisterChecks {
        results: Vec<EligibilityResult>,
        at: String,
    },
    /// A patient typed from the 資格確認書 when no online check can be made.
    AddPatient {
        patient: NewPatient,
        on: Date,
    },
    /// Two records of one person (a typo, another kanji): `from`'s cases, insurances, checks
    /// and 公費 move to `into`, and `from` is removed.
    MergePatients {
        into: String,
        from: String,
    },
    /// A patient registered by mistake, with no 施術録 (cases go first, each deliberately).
    DeletePatient {
        id: String,
    },
    /// Typed corrections of a patient (name, カナ, sex, address, 公費, insurance fields).
    PutPatient(PatientRecord),
    NewCase {
        patient_id: String,
        case: Case,
    },
    /// Changes to a case's 負傷/傷病, 同意, 転帰.
    PutCase {
        id: String,
        case: Case,
    },
    DeleteCase {
        id: String,
    },
    /// Adds or replaces the visit of that day.
    SetVisit {
        case_id: String,
        visit: Visit,
    },
    RemoveVisit {
        case_id: String,
        date: Date,
    },
    PutSettings(Settings),
    CloseMonth {
        month: ClaimMonth,
        at: String,
    },
    ReopenMonth {
        month: ClaimMonth,
        at: String,
        reason: String,
    },
    /// An insurer returned a filed claim (返戻).
    RecordReturn {
        ret: NewReturn,
        at: String,
    },
    /// The returned claim, corrected, goes out again with `batch` (再請求).
    Resubmit {
        id: String,
        batch: ClaimMonth,
        at: String,
    },
    /// Takes a 再請求 out of its (still open) batch.
    WithdrawResubmission {
        id: String,
    },
    /// A return recorded by mistake, before it was re-submitted.
    DeleteReturn {
        id: String,
    },
    AddPayment(NewPayment),
    DeletePayment {
        id: String,
    },
    /// One patient's 自費 and 受領額 of one day.
    PutTakings {
        patient_id: String,
        date: Date,
        self_pay: Vec<SelfPayLine>,
        received_yen: Option<u32>,
    },
    /// The words of a case's あはき documents.
    PutCaseNotes {
        id: String,
        notes: documents::CaseNotes,
    },
    /// Replaces everything (a restored backup).
    Restore(Book),
}

/// What an edit did, for the page to announce.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    Registered(Vec<Registration>),
    Case(String),
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RecordError {
    UnknownPatient {
        id: String,
    },
    UnknownCase {
        id: String,
    },
    /// The visit's month is closed: reopen it first.
    MonthClosed {
        month: ClaimMonth,
    },
    /// The result has no qualification to register (e.g. 該当なし).
    NothingToRegister,
    /// Several qualifications are in force (複数該当): staff must choose one.
    ChoiceNeeded,
    /// The month still has claims with errors.
    ClaimsHaveErrors {
        patients: Vec<String>,
    },
    NoClaims {
        month: ClaimMonth,
    },
    AlreadyClosed {
        month: ClaimMonth,
    },
    NotClosed {
        month: ClaimMonth,
    },
    ReasonRequired,
    /// A case still has visits in a closed month.
    CaseInClosedMonth {
        month: ClaimMonth,
    },
    SexUnknown {
        patient: String,
    },
    NoInsurance {
        patient: String,
    },
    NameRequired,
    /// The insurer number is malformed or its 検証番号 does not match (message from the check).
    InsurerNumber {
        message_ja: String,
    },
    InsuredNumberRequired,
    CopayPercent {
        percent: u8,
    },
    /// The typed 有効期限 is before the 資格取得日.
    ValidityPeriod,
    /// A patient cannot be merged into themselves.
    SamePatient,
    /// The patient still has 施術録.
    PatientHasCases {
        count: usize,
    },
    /// A typed patient is already in the book (same birthdate and name, or same numbers).
    AlreadyRegistered {
        id: String,
        name: String,
    },
    /// The claim already has a 返戻 waiting for its 再請求.
    AlreadyReturned {
        month: ClaimMonth,
    },
    UnknownReturn {
        id: String,
    },
    AlreadyResubmitted {
        batch: ClaimMonth,
    },
    /// A 再請求 goes out with a later month's batch.
    BatchNotLater {
        month: ClaimMonth,
        batch: ClaimMonth,
    },
    /// A re-submitted return stays (it was filed); withdraw the 再請求 first.
    ReturnResubmitted,
    PayerRequired,
    AmountRequired,
    UnknownPayment {
        id: String,
    },
}

impl RecordError {
    /// The variant's stable name (`insurer_number`, `month_closed`…) for logs, which carry no
    /// names: several variants hold a patient's.
    pub fn kind(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("kind")?.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn message_ja(&self) -> String {
        match self {
            RecordError::UnknownPatient { id } => format!("患者（{id}）が見つかりません。"),
            RecordError::UnknownCase { id } => format!("施術録（{id}）が見つかりません。"),
            RecordError::MonthClosed { month } => format!(
                "{}は締め済みです。変更するには月次請求の画面で締めを解除してください。",
                month.wareki()
            ),
            RecordError::NothingToRegister => {
                "資格情報がないため、患者として登録できません。".into()
            }
            RecordError::ChoiceNeeded => {
                "複数の資格が該当しています。患者さんに確かめて、登録する資格を選んでください。".into()
            }
            RecordError::ClaimsHaveErrors { patients } => format!(
                "エラーのある申請書があるため締められません（{}）。",
                patients.join("、")
            ),
            RecordError::NoClaims { month } => {
                format!("{}の申請書がありません。", month.wareki())
            }
            RecordError::AlreadyClosed { month } => {
                format!("{}はすでに締め済みです。", month.wareki())
            }
            RecordError::NotClosed { month } => {
                format!("{}は締められていません。", month.wareki())
            }
            RecordError::ReasonRequired => "締めを解除する理由を入力してください。".into(),
            RecordError::CaseInClosedMonth { month } => format!(
                "{}（締め済み）の施術があるため、この施術録は削除できません。",
                month.wareki()
            ),
            RecordError::SexUnknown { patient } => {
                format!("{patient}さんの性別が未設定です。患者の画面で入力してください。")
            }
            RecordError::NoInsurance { patient } => format!(
                "{patient}さんの保険情報がありません。資格確認をするか、患者の画面で入力してください。"
            ),
            RecordError::NameRequired => "氏名を入力してください。".into(),
            RecordError::InsurerNumber { message_ja } => message_ja.clone(),
            RecordError::InsuredNumberRequired => {
                "被保険者証等の番号を入力してください。".into()
            }
            RecordError::CopayPercent { percent } => {
                format!("負担割合は0・1・2・3割のいずれかです（入力は{percent}%）。")
            }
            RecordError::SamePatient => "同じ患者どうしは統合できません。".into(),
            RecordError::PatientHasCases { count } => format!(
                "施術録が{count}件あるため削除できません。同じ人の二重登録なら「統合」を使ってください。"
            ),
            RecordError::ValidityPeriod => {
                "有効期限が資格取得日より前になっています。資格確認書の日付を確かめてください。".into()
            }
            RecordError::AlreadyRegistered { name, .. } => format!(
                "{name}さんはすでに登録されています（生年月日と氏名、または保険の番号が同じ）。患者一覧から選んでください。"
            ),
            RecordError::AlreadyReturned { month } => format!(
                "この申請書（{}分）は返戻を記録済みで、まだ再請求されていません。",
                month.wareki()
            ),
            RecordError::UnknownReturn { id } => format!("返戻（{id}）が見つかりません。"),
            RecordError::AlreadyResubmitted { .. } => "この返戻はすでに再請求しています。".into(),
            RecordError::BatchNotLater { month, batch } => format!(
                "再請求は施術年月（{}）より後の月に出します（{}は選べません）。",
                month.wareki(),
                batch.wareki()
            ),
            RecordError::ReturnResubmitted => {
                "再請求済みの返戻は消せません。先に再請求を取り消してください。".into()
            }
            RecordError::PayerRequired => "保険者番号（または公費負担者番号）を入力してください。".into(),
            RecordError::AmountRequired => "入金額を入力してください。".into(),
            RecordError::UnknownPayment { id } => format!("入金（{id}）が見つかりません。"),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            RecordError::UnknownPatient { id } => format!("Patient {id} not found."),
            RecordError::UnknownCase { id } => format!("Treatment record {id} not found."),
            RecordError::MonthClosed { month } => {
                format!("{month} is closed. Reopen it on the monthly claims screen to change it.")
            }
            RecordError::NothingToRegister => "The result has no qualification to register.".into(),
            RecordError::ChoiceNeeded => {
                "Several qualifications match: ask the patient and choose the one to register.".into()
            }
            RecordError::ClaimsHaveErrors { patients } => format!(
                "Claims with errors block closing the month ({}).",
                patients.join(", ")
            ),
            RecordError::NoClaims { month } => format!("No claims for {month}."),
            RecordError::AlreadyClosed { month } => format!("{month} is already closed."),
            RecordError::NotClosed { month } => format!("{month} is not closed."),
            RecordError::ReasonRequired => "Give a reason for reopening the month.".into(),
            RecordError::CaseInClosedMonth { month } => {
                format!("The case has visits in {month}, which is closed.")
            }
            RecordError::SexUnknown { patient } => format!("{patient}: sex is not set."),
            RecordError::NoInsurance { patient } => format!("{patient}: no insurance recorded."),
            RecordError::NameRequired => "Enter the patient's name.".into(),
            RecordError::InsurerNumber { .. } => {
                "The insurer number is not valid (6 or 8 digits with a matching check digit).".into()
            }
            RecordError::InsuredNumberRequired => "Enter the insured's number.".into(),
            RecordError::CopayPercent { percent } => {
                format!("The co-payment is 0, 10, 20 or 30 % (not {percent} %).")
            }
            RecordError::SamePatient => "A patient cannot be merged into themselves.".into(),
            RecordError::PatientHasCases { count } => format!(
                "The patient has {count} treatment records and cannot be deleted. Merge a duplicate instead."
            ),
            RecordError::ValidityPeriod => "The valid-until date is before the qualification date.".into(),
            RecordError::AlreadyRegistered { name, .. } => format!(
                "{name} is already registered (same date of birth and name, or the same numbers). Choose them from the list."
            ),
            RecordError::AlreadyReturned { month } => {
                format!("This claim ({month}) is already returned and not yet re-submitted.")
            }
            RecordError::UnknownReturn { id } => format!("Return {id} not found."),
            RecordError::AlreadyResubmitted { .. } => "This return is already re-submitted.".into(),
            RecordError::BatchNotLater { month, batch } => format!(
                "A re-submission goes out with a month after {month} (not {batch})."
            ),
            RecordError::ReturnResubmitted => {
                "A re-submitted return stays; withdraw the re-submission first.".into()
            }
            RecordError::PayerRequired => "Enter the insurer's (or public payer's) number.".into(),
            RecordError::AmountRequired => "Enter the amount received.".into(),
            RecordError::UnknownPayment { id } => format!("Payment {id} not found."),
        }
    }
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_ja())
    }
}

impl std::error::Error for RecordError {}

impl Book {
    pub fn patient(&self, id: &str) -> Option<&PatientRecord> {
        self.patients.iter().find(|p| p.id == id)
    }

    pub fn case(&self, id: &str) -> Option<&CaseRecord> {
        self.cases.iter().find(|c| c.id == id)
    }

    pub fn cases_of<'a>(&'a self, patient_id: &'a str) -> impl Iterator<Item = &'a CaseRecord> {
        self.cases
            .iter()
            .filter(move |c| c.patient_id == patient_id)
    }

    pub fn month(&self, m: ClaimMonth) -> Option<&MonthRecord> {
        self.months.iter().find(|r| r.month == m)
    }

    pub fn is_closed(&self, m: ClaimMonth) -> bool {
        self.month(m).is_some_and(|r| r.closed_at.is_some())
    }

    fn fresh_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }

    fn open_month(&self, d: Date) -> Result<(), RecordError> {
        let month = ClaimMonth::of(d);
        if self.is_closed(month) {
            Err(RecordError::MonthClosed { month })
        } else {
            Ok(())
        }
    }

    /// What `edit` would do, without doing it (the import's review before it is applied).
    pub fn preview(&self, edit: Edit) -> Result<Applied, RecordError> {
        self.clone().apply(edit)
    }

    /// Applies one edit, all or nothing: on an error the book is unchanged.
    pub fn apply(&mut self, edit: Edit) -> Result<Applied, RecordError> {
        let mut next = self.clone();
        let applied = next.apply_in_place(edit)?;
        *self = next;
        Ok(applied)
    }

    fn apply_in_place(&mut self, edit: Edit) -> Result<Applied, RecordError> {
        match edit {
            Edit::RegisterCheck {
                result,
                qualification,
                at,
            } => {
                if result.qualifications.is_empty() {
                    return Err(RecordError::NothingToRegister);
                }
                let index = qualification
                    .or_else(|| result.default_choice())
                    .ok_or(RecordError::ChoiceNeeded)?;
                let r = self.register(&result, index, &at)?;
                Ok(Applied::Registered(vec![r]))
            }
            Edit::RegisterChecks { mut results, at } => {
                // Oldest first, so the newest check is what stays current.
                results.sort_by_key(|r| r.checked_on);
                let mut out = Vec::new();
                for r in &results {
                    // A 該当なし or a 複数該当 among imported results is not an error for the
                    // others: the first has nothing to register, the second waits for staff.
                    if let Some(i) = r.default_choice() {
                        out.push(self.register(r, i, &at)?);
                    }
                }
                Ok(Applied::Registered(out))
            }
            Edit::AddPatient { patient, on } => {
                let r = self.add_patient(&patient, on)?;
                Ok(Applied::Registered(vec![r]))
            }
            Edit::MergePatients { into, from } => {
                self.merge_patients(&into, &from)?;
                Ok(Applied::Done)
            }
            Edit::DeletePatient { id } => {
                if self.patient(&id).is_none() {
                    return Err(RecordError::UnknownPatient { id });
                }
                let count = self.cases_of(&id).count();
                if count > 0 {
                    return Err(RecordError::PatientHasCases { count });
                }
                self.patients.retain(|p| p.id != id);
                Ok(Applied::Done)
            }
            Edit::PutPatient(p) => {
                let slot = self
                    .patients
                    .iter_mut()
                    .find(|x| x.id == p.id)
                    .ok_or_else(|| RecordError::UnknownPatient { id: p.id.clone() })?;
                *slot = p;
                Ok(Applied::Done)
            }
            Edit::NewCase { patient_id, case } => {
                if self.patient(&patient_id).is_none() {
                    return Err(RecordError::UnknownPatient { id: patient_id });
                }
                let id = self.fresh_id("c");
                self.cases.push(CaseRecord {
                    id: id.clone(),
                    patient_id,
                    case,
                    visits: Vec::new(),
                    notes: Default::default(),
                });
                Ok(Applied::Case(id))
            }
            Edit::PutCase { id, case } => {
                let slot = self.case_mut(&id)?;
                slot.case = case;
                Ok(Applied::Case(id))
            }
            Edit::DeleteCase { id } => {
                let c = self
                    .case(&id)
                    .ok_or_else(|| RecordError::UnknownCase { id: id.clone() })?;
                if let Some(v) = c
                    .visits
                    .iter()
                    .find(|v| self.is_closed(ClaimMonth::of(v.date)))
                {
                    return Err(RecordError::CaseInClosedMonth {
                        month: ClaimMonth::of(v.date),
                    });
                }
                self.cases.retain(|c| c.id != id);
                Ok(Applied::Done)
            }
            Edit::SetVisit { case_id, visit } => {
                self.open_month(visit.date)?;
                let c = self.case_mut(&case_id)?;
                c.visits.retain(|v| v.date != visit.date);
                c.visits.push(visit);
                c.visits.sort_by_key(|v| v.date);
                Ok(Applied::Case(case_id))
            }
            Edit::RemoveVisit { case_id, date } => {
                self.open_month(date)?;
                let c = self.case_mut(&case_id)?;
                c.visits.retain(|v| v.date != date);
                Ok(Applied::Case(case_id))
            }
            Edit::PutSettings(s) => {
                self.settings = s;
                Ok(Applied::Done)
            }
            Edit::CloseMonth { month, at } => {
                self.close_month(month, at)?;
                Ok(Applied::Done)
            }
            Edit::ReopenMonth { month, at, reason } => {
                if reason.trim().is_empty() {
                    return Err(RecordError::ReasonRequired);
                }
                let filed = self.month_claims(month);
                let r = self
                    .months
                    .iter_mut()
                    .find(|r| r.month == month && r.closed_at.is_some())
                    .ok_or(RecordError::NotClosed { month })?;
                let kept = !r.frozen.is_empty();
                r.closed_at = None;
                r.snapshot.clear();
                r.frozen.clear();
                let now = self.month_claims(month);
                let changes = month::figure_changes(&filed, &now, kept);
                if let Some(r) = self.months.iter_mut().find(|r| r.month == month) {
                    r.reopened.push(Reopening {
                        at,
                        reason: reason.trim().to_string(),
                        changes,
                    });
                }
                Ok(Applied::Done)
            }
            Edit::RecordReturn { ret, at } => {
                self.record_return(ret, at)?;
                Ok(Applied::Done)
            }
            Edit::Resubmit { id, batch, at } => {
                self.resubmit(&id, batch, at)?;
                Ok(Applied::Done)
            }
            Edit::WithdrawResubmission { id } => {
                self.withdraw_resubmission(&id)?;
                Ok(Applied::Done)
            }
            Edit::DeleteReturn { id } => {
                let r = self
                    .claim_return(&id)
                    .ok_or_else(|| RecordError::UnknownReturn { id: id.clone() })?;
                if r.resubmitted.is_some() {
                    return Err(RecordError::ReturnResubmitted);
                }
                self.returns.retain(|r| r.id != id);
                Ok(Applied::Done)
            }
            Edit::AddPayment(p) => {
                self.add_payment(p)?;
                Ok(Applied::Done)
            }
            Edit::DeletePayment { id } => {
                if self.payment(&id).is_none() {
                    return Err(RecordError::UnknownPayment { id });
                }
                self.payments.retain(|p| p.id != id);
                Ok(Applied::Done)
            }
            Edit::PutTakings {
                patient_id,
                date,
                self_pay,
                received_yen,
            } => {
                self.put_takings(&patient_id, date, self_pay, received_yen)?;
                Ok(Applied::Done)
            }
            Edit::PutCaseNotes { id, notes } => {
                self.case_mut(&id)?.notes = notes;
                Ok(Applied::Case(id))
            }
            Edit::Restore(book) => {
                *self = book;
                Ok(Applied::Done)
            }
        }
    }

    fn merge_patients(&mut self, into: &str, from: &str) -> Result<(), RecordError> {
        if into == from {
            return Err(RecordError::SamePatient);
        }
        let Some(gone) = self.patient(from).cloned() else {
            return Err(RecordError::UnknownPatient { id: from.into() });
        };
        let kept = self
            .patients
            .iter_mut()
            .find(|p| p.id == into)
            .ok_or_else(|| RecordError::UnknownPatient { id: into.into() })?;
        // What the kept record lacks, the other may know.
        for (mine, theirs) in [
            (&mut kept.name_kana, &gone.name_kana),
            (&mut kept.address, &gone.address),
            (&mut kept.postal_code, &gone.postal_code),
        ] {
            if mine.trim().is_empty() {
                mine.clone_from(theirs);
            }
        }
        kept.sex = kept.sex.or(gone.sex);
        // Of two entries from the same day, the kept record's stays the later (in force).
        let mut insurances = gone.insurances;
        insurances.append(&mut kept.insurances);
        insurances.sort_by_key(|e| e.since);
        kept.insurances = insurances;
        kept.checks.extend(gone.checks);
        kept.checks
            .sort_by(|a, b| (a.checked_on, &a.at).cmp(&(b.checked_on, &b.at)));
        for f in gone.public_funds {
            if !kept.public_funds.contains(&f) {
                kept.public_funds.push(f);
            }
        }
        for c in self.cases.iter_mut().filter(|c| c.patient_id == from) {
            c.patient_id = into.to_string();
        }
        self.patients.retain(|p| p.id != from);
        Ok(())
    }

    fn case_mut(&mut self, id: &str) -> Result<&mut CaseRecord, RecordError> {
        self.cases
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| RecordError::UnknownCase { id: id.to_string() })
    }

    fn close_month(&mut self, month: ClaimMonth, at: String) -> Result<(), RecordError> {
        if self.is_closed(month) {
            return Err(RecordError::AlreadyClosed { month });
        }
        let claims = self.month_claims(month);
        if claims.is_empty() {
            return Err(RecordError::NoClaims { month });
        }
        let blocked: Vec<String> = claims
            .iter()
            .filter(|c| c.blocking())
            .map(|c| c.patient_name.clone())
            .collect();
        if !blocked.is_empty() {
            return Err(RecordError::ClaimsHaveErrors { patients: blocked });
        }
        let frozen: Vec<(String, MonthlyClaim)> = claims
            .iter()
            .filter_map(|c| c.claim.clone().ok().map(|m| (c.case_id.clone(), m)))
            .collect();
        let snapshot: Vec<(String, ClaimInput)> = claims
            .into_iter()
            .filter_map(|c| c.input.ok().map(|i| (c.case_id, i)))
            .collect();
        match self.months.iter_mut().find(|r| r.month == month) {
            Some(r) => {
                r.closed_at = Some(at);
                r.snapshot = snapshot;
                r.frozen = frozen;
            }
            None => {
                self.months.push(MonthRecord {
                    month,
                    closed_at: Some(at),
                    snapshot,
                    frozen,
                    reopened: Vec::new(),
                });
                self.months.sort_by_key(|r| r.month);
            }
        }
        Ok(())
    }

    /// Every id is unique and every case's patient exists: what a restore must satisfy.
    pub fn check_integrity(&self) -> Result<(), String> {
        let mut ids = std::collections::BTreeSet::new();
        for id in self
            .patients
            .iter()
            .map(|p| &p.id)
            .chain(self.cases.iter().map(|c| &c.id))
        {
            if !ids.insert(id.as_str()) {
                return Err(format!("ID {id} が重複しています"));
            }
        }
        for c in &self.cases {
            if self.patient(&c.patient_id).is_none() {
                return Err(format!(
                    "施術録 {} の患者 {} がありません",
                    c.id, c.patient_id
                ));
            }
        }
        let mut months = std::collections::BTreeSet::new();
        for m in &self.months {
            if !months.insert(m.month) {
                return Err(format!("{} が重複しています", m.month));
            }
        }
        Ok(())
    }
}
