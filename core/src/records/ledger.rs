//! The window's money day by day: what each patient owes for the insured treatment (the
//! claim engine's window amount for that visit, never recomputed here), 自費 items sold from
//! the clinic's price list, what was received, and what is still unpaid (未収) — the 日計表
//! (docs/records.md, "窓口会計と日計表").

use super::month::CaseClaim;
use super::{Book, RecordError};
use crate::claims::{ClaimMonth, Discipline};
use crate::date::Date;
use serde::{Deserialize, Serialize};

/// One item of the clinic's 自費 (non-insured) price list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfPayItem {
    pub name: String,
    pub price_yen: u32,
}

/// One 自費 item sold on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfPayLine {
    pub name: String,
    pub unit_yen: u32,
    pub count: u32,
}

impl SelfPayLine {
    pub fn amount_yen(&self) -> u32 {
        self.unit_yen.saturating_mul(self.count)
    }
}

/// What one patient paid (and bought beyond the insurance) on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Takings {
    /// `<patient id>/<YYYY-MM-DD>`: one record per patient and day.
    pub id: String,
    pub patient_id: String,
    pub date: Date,
    #[serde(default)]
    pub self_pay: Vec<SelfPayLine>,
    /// 受領額; `None` until the window records it (the whole amount is then 未収).
    #[serde(default)]
    pub received_yen: Option<u32>,
}

impl Takings {
    pub fn key(patient_id: &str, date: Date) -> String {
        format!("{patient_id}/{date}")
    }
    pub fn self_pay_yen(&self) -> u32 {
        self.self_pay
            .iter()
            .map(SelfPayLine::amount_yen)
            .fold(0, u32::saturating_add)
    }
}

/// One case's insured visit on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredVisit {
    pub case_id: String,
    pub discipline: Discipline,
    /// The day's amount (施術料金の合計 for that visit).
    pub total_yen: u32,
    /// What the patient pays at the window for it (`MonthlyClaim.window`).
    pub pays_yen: u32,
    /// The claim could not be computed: the amount is unknown (and counted as 0).
    pub not_computed: Option<String>,
}

/// One patient's line of the 日計表.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRow {
    pub patient_id: String,
    pub patient_name: String,
    pub visits: Vec<InsuredVisit>,
    pub self_pay: Vec<SelfPayLine>,
    pub insured_yen: u32,
    pub self_pay_yen: u32,
    /// 請求額 at the window: insured + 自費.
    pub due_yen: u32,
    pub received_yen: Option<u32>,
    /// 未収: due − received (all of it while nothing is recorded).
    pub unpaid_yen: u32,
}

/// The day's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayLedger {
    pub date: Date,
    pub rows: Vec<LedgerRow>,
    pub insured_yen: u64,
    pub self_pay_yen: u64,
    pub due_yen: u64,
    pub received_yen: u64,
    pub unpaid_yen: u64,
}

impl Book {
    pub fn takings(&self, patient_id: &str, date: Date) -> Option<&Takings> {
        let key = Takings::key(patient_id, date);
        self.takings.iter().find(|t| t.id == key)
    }

    /// The insured visits of one patient on one day, with the window amounts the claim
    /// engine computed for that month (frozen ones for a closed month).
    pub fn insured_visits(&self, patient_id: &str, date: Date) -> Vec<InsuredVisit> {
        self.insured_visits_in(patient_id, date, &self.month_claims(ClaimMonth::of(date)))
    }

    /// `insured_visits` from the month's claims already computed (`month_claims` of
    /// `date`'s month): a day's ledger computes the month once, not once per patient.
    pub fn insured_visits_in(
        &self,
        patient_id: &str,
        date: Date,
        claims: &[CaseClaim],
    ) -> Vec<InsuredVisit> {
        self.cases_of(patient_id)
            .filter(|c| c.visits.iter().any(|v| v.date == date))
            .map(|c| {
                let claim = claims.iter().find(|x| x.case_id == c.id);
                let day = claim
                    .and_then(|x| x.claim.as_ref().ok())
                    .and_then(|m| m.window.iter().find(|w| w.date == date));
                let not_computed = match claim.map(|x| &x.claim) {
                    Some(Err(e)) => Some(e.clone()),
                    None => Some("申請書を作れませんでした。".into()),
                    Some(Ok(_)) => None,
                };
                InsuredVisit {
                    case_id: c.id.clone(),
                    discipline: c.case.discipline(),
                    total_yen: day.map_or(0, |w| w.total_yen),
                    pays_yen: day.map_or(0, |w| w.pays_yen),
                    not_computed,
                }
            })
            .collect()
    }

    pub fn ledger_row(&self, patient_id: &str, date: Date) -> LedgerRow {
        self.ledger_row_in(patient_id, date, &self.month_claims(ClaimMonth::of(date)))
    }

    /// `ledger_row` from the month's claims already computed.
    pub fn ledger_row_in(&self, patient_id: &str, date: Date, claims: &[CaseClaim]) -> LedgerRow {
        let visits = self.insured_visits_in(patient_id, date, claims);
        let t = self.takings(patient_id, date);
        let insured_yen = visits
            .iter()
            .map(|v| v.pays_yen)
            .fold(0, u32::saturating_add);
        let self_pay_yen = t.map_or(0, Takings::self_pay_yen);
        let due_yen = insured_yen.saturating_add(self_pay_yen);
        let received_yen = t.and_then(|t| t.received_yen);
        LedgerRow {
            patient_id: patient_id.to_string(),
            patient_name: self
                .patient(patient_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            visits,
            self_pay: t.map(|t| t.self_pay.clone()).unwrap_or_default(),
            insured_yen,
            self_pay_yen,
            due_yen,
            received_yen,
            unpaid_yen: due_yen.saturating_sub(received_yen.unwrap_or(0)),
        }
    }

    /// Everyone treated or selling on `date`, in the order of the patient list.
    pub fn day_ledger(&self, date: Date) -> DayLedger {
        self.day_ledger_in(date, &self.month_claims(ClaimMonth::of(date)))
    }

    /// `day_ledger` from `date`'s month's claims already computed (the page's memo).
    pub fn day_ledger_in(&self, date: Date, claims: &[CaseClaim]) -> DayLedger {
        let rows: Vec<LedgerRow> = self
            .patients
            .iter()
            .filter(|p| {
                self.cases_of(&p.id)
                    .any(|c| c.visits.iter().any(|v| v.date == date))
                    || self.takings(&p.id, date).is_some()
            })
            .map(|p| self.ledger_row_in(&p.id, date, claims))
            .collect();
        let sum = |f: fn(&LedgerRow) -> u32| rows.iter().map(|r| u64::from(f(r))).sum::<u64>();
        DayLedger {
            date,
            insured_yen: sum(|r| r.insured_yen),
            self_pay_yen: sum(|r| r.self_pay_yen),
            due_yen: sum(|r| r.due_yen),
            received_yen: sum(|r| r.received_yen.unwrap_or(0)),
            unpaid_yen: sum(|r| r.unpaid_yen),
            rows,
        }
    }

    /// Replaces one patient's takings of one day; an empty record (nothing sold, nothing
    /// recorded) is removed.
    pub(super) fn put_takings(
        &mut self,
        patient_id: &str,
        date: Date,
        self_pay: Vec<SelfPayLine>,
        received_yen: Option<u32>,
    ) -> Result<(), RecordError> {
        if self.patient(patient_id).is_none() {
            return Err(RecordError::UnknownPatient {
                id: patient_id.into(),
            });
        }
        let self_pay: Vec<SelfPayLine> = self_pay
            .into_iter()
            .filter(|l| l.count > 0 && !l.name.trim().is_empty())
            .collect();
        let id = Takings::key(patient_id, date);
        self.takings.retain(|t| t.id != id);
        if !self_pay.is_empty() || received_yen.is_some() {
            self.takings.push(Takings {
                id,
                patient_id: patient_id.to_string(),
                date,
                self_pay,
                received_yen,
            });
            self.takings
                .sort_by(|a, b| (a.date, &a.patient_id).cmp(&(b.date, &b.patient_id)));
        }
        Ok(())
    }
}
