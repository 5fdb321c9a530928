//! 返戻 and 再請求: an insurer sends a filed claim back; the clinic records why, corrects the
//! patient or the case, and files it again in a later month's batch, keeping the original
//! 施術年月 (docs/records.md, "返戻と再請求").
//!
//! A claim is filed when its month is closed (the claims frozen then are what went out). A
//! return names that filed claim; a re-submission computes the claim of the same 施術年月
//! again from the book as it is now and freezes it with the batch it goes out in.

use super::month::CaseClaim;
use super::{Book, RecordError};
use crate::claims::{ClaimInput, ClaimMonth, MonthlyClaim};
use crate::date::Date;
use serde::{Deserialize, Serialize};

/// The usual reasons an insurer gives (返戻理由), plus anything else in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnReason {
    /// 記号・番号の誤り
    WrongNumber,
    /// 資格喪失後の施術
    EligibilityLapsed,
    /// 保険者の変更
    InsurerChanged,
    /// 負傷原因の記載不備
    CauseMissing,
    /// 同意書・施術報告書の不備（あはき）
    ConsentMissing,
    /// 長期・頻回の理由の記載不備
    ReasonMissing,
    /// 署名・委任欄の不備
    SignatureMissing,
    /// 金額・算定の誤り
    AmountError,
    /// 施術日・実日数の誤り
    DatesWrong,
    /// その他（内容欄に記入）
    Other,
}

impl ReturnReason {
    pub const ALL: [ReturnReason; 10] = [
        ReturnReason::WrongNumber,
        ReturnReason::EligibilityLapsed,
        ReturnReason::InsurerChanged,
        ReturnReason::CauseMissing,
        ReturnReason::ConsentMissing,
        ReturnReason::ReasonMissing,
        ReturnReason::SignatureMissing,
        ReturnReason::AmountError,
        ReturnReason::DatesWrong,
        ReturnReason::Other,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ReturnReason::WrongNumber => "wrong_number",
            ReturnReason::EligibilityLapsed => "eligibility_lapsed",
            ReturnReason::InsurerChanged => "insurer_changed",
            ReturnReason::CauseMissing => "cause_missing",
            ReturnReason::ConsentMissing => "consent_missing",
            ReturnReason::ReasonMissing => "reason_missing",
            ReturnReason::SignatureMissing => "signature_missing",
            ReturnReason::AmountError => "amount_error",
            ReturnReason::DatesWrong => "dates_wrong",
            ReturnReason::Other => "other",
        }
    }
    pub fn from_code(s: &str) -> Option<ReturnReason> {
        ReturnReason::ALL.into_iter().find(|r| r.code() == s)
    }
    pub fn label_ja(self) -> &'static str {
        match self {
            ReturnReason::WrongNumber => "記号・番号の誤り",
            ReturnReason::EligibilityLapsed => "資格喪失後の施術",
            ReturnReason::InsurerChanged => "保険者の変更",
            ReturnReason::CauseMissing => "負傷原因の記載不備",
            ReturnReason::ConsentMissing => "同意書・施術報告書の不備",
            ReturnReason::ReasonMissing => "長期・頻回の理由の記載不備",
            ReturnReason::SignatureMissing => "署名・委任欄の不備",
            ReturnReason::AmountError => "金額・算定の誤り",
            ReturnReason::DatesWrong => "施術日・実日数の誤り",
            ReturnReason::Other => "その他",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            ReturnReason::WrongNumber => "Wrong insured number",
            ReturnReason::EligibilityLapsed => "Treated after eligibility lapsed",
            ReturnReason::InsurerChanged => "Insurer changed",
            ReturnReason::CauseMissing => "Cause of injury missing",
            ReturnReason::ConsentMissing => "Consent or report missing",
            ReturnReason::ReasonMissing => "Long-term reason missing",
            ReturnReason::SignatureMissing => "Signature missing",
            ReturnReason::AmountError => "Amount wrong",
            ReturnReason::DatesWrong => "Dates wrong",
            ReturnReason::Other => "Other",
        }
    }
}

/// The claim filed again, frozen when it was put into the batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resubmission {
    /// The month whose batch carries it (提出月).
    pub batch: ClaimMonth,
    pub at: String,
    pub input: ClaimInput,
    pub claim: MonthlyClaim,
}

/// One 返戻 of one filed claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimReturn {
    pub id: String,
    /// 施術年月 of the claim (kept on the 再請求).
    pub month: ClaimMonth,
    pub case_id: String,
    pub patient_id: String,
    pub patient_name: String,
    /// The insurer that returned it (the filed claim's).
    pub insurer_number: String,
    pub returned_on: Date,
    pub reason: ReturnReason,
    /// 返戻内容 in the insurer's words, or what "その他" means.
    #[serde(default)]
    pub note: String,
    /// What was filed and sent back.
    pub filed: MonthlyClaim,
    #[serde(default)]
    pub resubmitted: Option<Resubmission>,
    pub at: String,
}

/// What the page asks when a return arrives.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReturn {
    pub month: ClaimMonth,
    pub case_id: String,
    pub returned_on: Date,
    pub reason: ReturnReason,
    pub note: String,
}

/// Where a filed claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// 提出済み (the month is closed).
    Filed,
    /// 返戻: waiting for correction.
    Returned,
    /// 再請求済み in the batch of that month.
    Resubmitted { batch: ClaimMonth },
}

impl Book {
    pub fn claim_return(&self, id: &str) -> Option<&ClaimReturn> {
        self.returns.iter().find(|r| r.id == id)
    }

    /// The open return (not yet re-submitted) of one claim, or the newest one.
    pub fn return_of(&self, month: ClaimMonth, case_id: &str) -> Option<&ClaimReturn> {
        self.returns
            .iter()
            .rev()
            .find(|r| r.month == month && r.case_id == case_id)
    }

    /// Where a claim of a closed month stands; `None` while its month is open.
    pub fn claim_status(&self, month: ClaimMonth, case_id: &str) -> Option<ClaimStatus> {
        if !self.is_closed(month) {
            return None;
        }
        Some(match self.return_of(month, case_id) {
            None => ClaimStatus::Filed,
            Some(r) => match &r.resubmitted {
                None => ClaimStatus::Returned,
                Some(s) => ClaimStatus::Resubmitted { batch: s.batch },
            },
        })
    }

    /// The 再請求 that go out with `batch`'s claims (their 施術年月 is earlier).
    pub fn resubmissions_in(&self, batch: ClaimMonth) -> Vec<&ClaimReturn> {
        self.returns
            .iter()
            .filter(|r| r.resubmitted.as_ref().is_some_and(|s| s.batch == batch))
            .collect()
    }

    /// Returns not yet re-submitted, oldest first.
    pub fn open_returns(&self) -> Vec<&ClaimReturn> {
        self.returns
            .iter()
            .filter(|r| r.resubmitted.is_none())
            .collect()
    }

    pub(super) fn record_return(&mut self, r: NewReturn, at: String) -> Result<(), RecordError> {
        if !self.is_closed(r.month) {
            return Err(RecordError::NotClosed { month: r.month });
        }
        // What went out last: the re-submission when one was returned again, else the claim
        // frozen when the month was closed.
        let filed = match self.return_of(r.month, &r.case_id) {
            Some(x) => match &x.resubmitted {
                Some(s) => s.claim.clone(),
                None => return Err(RecordError::AlreadyReturned { month: r.month }),
            },
            None => self
                .month(r.month)
                .and_then(|m| m.frozen.iter().find(|(id, _)| *id == r.case_id))
                .map(|(_, c)| c.clone())
                .ok_or_else(|| RecordError::UnknownCase {
                    id: r.case_id.clone(),
                })?,
        };
        if r.reason == ReturnReason::Other && r.note.trim().is_empty() {
            return Err(RecordError::ReasonRequired);
        }
        let case = self
            .case(&r.case_id)
            .ok_or_else(|| RecordError::UnknownCase {
                id: r.case_id.clone(),
            })?;
        let patient_id = case.patient_id.clone();
        let patient_name = self
            .patient(&patient_id)
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let id = self.fresh_id("r");
        self.returns.push(ClaimReturn {
            id,
            month: r.month,
            case_id: r.case_id,
            patient_id,
            patient_name,
            insurer_number: filed.insurer_number.clone(),
            returned_on: r.returned_on,
            reason: r.reason,
            note: r.note.trim().to_string(),
            filed,
            resubmitted: None,
            at,
        });
        Ok(())
    }

    /// Files the returned claim again with `batch`: computed now for its own 施術年月 from
    /// the corrected patient and case; refused while it still has errors, or when the batch
    /// is already closed or not later than the 施術年月.
    pub(super) fn resubmit(
        &mut self,
        id: &str,
        batch: ClaimMonth,
        at: String,
    ) -> Result<(), RecordError> {
        let r = self
            .claim_return(id)
            .ok_or_else(|| RecordError::UnknownReturn { id: id.into() })?
            .clone();
        if r.resubmitted.is_some() {
            return Err(RecordError::AlreadyResubmitted { batch });
        }
        if batch <= r.month {
            return Err(RecordError::BatchNotLater {
                month: r.month,
                batch,
            });
        }
        if self.is_closed(batch) {
            return Err(RecordError::MonthClosed { month: batch });
        }
        let input = self.claim_input(&r.case_id, r.month)?;
        let again = super::month::computed(&r.case_id, &r.patient_id, &r.patient_name, Ok(input));
        let (Ok(input), Ok(claim)) = (again.input.clone(), again.claim.clone()) else {
            return Err(RecordError::ClaimsHaveErrors {
                patients: vec![r.patient_name.clone()],
            });
        };
        if claim.has_errors() {
            return Err(RecordError::ClaimsHaveErrors {
                patients: vec![r.patient_name.clone()],
            });
        }
        if let Some(slot) = self.returns.iter_mut().find(|x| x.id == id) {
            slot.resubmitted = Some(Resubmission {
                batch,
                at,
                input,
                claim,
            });
        }
        Ok(())
    }

    /// Takes a 再請求 out of its batch again (before that batch is closed).
    pub(super) fn withdraw_resubmission(&mut self, id: &str) -> Result<(), RecordError> {
        let batch = self
            .claim_return(id)
            .ok_or_else(|| RecordError::UnknownReturn { id: id.into() })?
            .resubmitted
            .as_ref()
            .map(|s| s.batch);
        if let Some(b) = batch.filter(|b| self.is_closed(*b)) {
            return Err(RecordError::MonthClosed { month: b });
        }
        if let Some(r) = self.returns.iter_mut().find(|x| x.id == id) {
            r.resubmitted = None;
        }
        Ok(())
    }

    /// The month's 再請求 as claims beside the month's own (for the batch's view, print and
    /// exports).
    pub fn resubmitted_claims(&self, batch: ClaimMonth) -> Vec<CaseClaim> {
        self.resubmissions_in(batch)
            .into_iter()
            .filter_map(|r| {
                let s = r.resubmitted.as_ref()?;
                Some(CaseClaim {
                    case_id: r.case_id.clone(),
                    patient_id: r.patient_id.clone(),
                    patient_name: r.patient_name.clone(),
                    input: Ok(s.input.clone()),
                    claim: Ok(s.claim.clone()),
                    unchecked: false,
                })
            })
            .collect()
    }
}
