//! 入金: what each insurer (or 公費負担者) paid for a 施術年月, matched to the claims filed
//! with it, and what is still outstanding — the sheet a clinic holds against its bank
//! statement (docs/records.md, "入金と未収").
//!
//! Expected: every filed claim that is not waiting on a 返戻 — its 請求金額 from the insurer,
//! and its 公費請求額 from each 公費負担者; a re-submitted claim counts once, as re-filed
//! (corrected insurer and amounts), under its original 施術年月. Matching: the payments for
//! one payer and 施術年月 are added up and given to that group's claims in a fixed order
//! (patient name, then case), each up to its amount; what is left over is an overpayment,
//! what is missing the outstanding.

use super::{Book, RecordError};
use crate::claims::{ClaimMonth, MonthlyClaim};
use crate::date::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One payment received (入金).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: String,
    /// 保険者番号 or 公費負担者番号.
    pub payer: String,
    /// The 施術年月 it pays for.
    pub month: ClaimMonth,
    pub received_on: Date,
    pub amount_yen: u32,
    #[serde(default)]
    pub note: String,
}

/// What the page asks to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub payer: String,
    pub month: ClaimMonth,
    pub received_on: Date,
    pub amount_yen: u32,
    pub note: String,
}

/// One claim's share of a payer's money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedClaim {
    pub case_id: String,
    pub patient_name: String,
    /// Filed again after a 返戻 (in that batch).
    pub resubmitted_in: Option<ClaimMonth>,
    /// 公費 (the payer is a 公費負担者), not the insurer.
    pub public: bool,
    pub expected_yen: u32,
    pub matched_yen: u32,
}

impl ExpectedClaim {
    pub fn paid(&self) -> bool {
        self.matched_yen >= self.expected_yen
    }
}

/// One payer and 施術年月: what was filed, what came in, and the difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayerMonth {
    pub payer: String,
    pub month: ClaimMonth,
    pub claims: Vec<ExpectedClaim>,
    pub expected_yen: u64,
    pub received_yen: u64,
    /// Filed but not paid (0 when paid in full or over).
    pub outstanding_yen: u64,
    /// Paid beyond what was filed.
    pub over_yen: u64,
}

/// Every payer's outstanding total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayerTotal {
    pub payer: String,
    pub expected_yen: u64,
    pub received_yen: u64,
    pub outstanding_yen: u64,
}

/// The whole matching: per payer and month, and per payer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matching {
    pub groups: Vec<PayerMonth>,
    pub totals: Vec<PayerTotal>,
}

fn expected_of(
    out: &mut BTreeMap<(String, ClaimMonth), Vec<ExpectedClaim>>,
    case_id: &str,
    name: &str,
    resubmitted_in: Option<ClaimMonth>,
    c: &MonthlyClaim,
) {
    let mut push = |payer: &str, public: bool, yen: u32| {
        if yen == 0 {
            return;
        }
        out.entry((payer.to_string(), c.month))
            .or_default()
            .push(ExpectedClaim {
                case_id: case_id.to_string(),
                patient_name: name.to_string(),
                resubmitted_in,
                public,
                expected_yen: yen,
                matched_yen: 0,
            });
    };
    push(&c.insurer_number, false, c.billed_yen);
    for p in c.public.iter().chain(c.public2.iter()) {
        push(p.payer_number.trim(), true, p.public_billed_yen);
    }
}

impl Book {
    pub fn payment(&self, id: &str) -> Option<&Payment> {
        self.payments.iter().find(|p| p.id == id)
    }

    /// The claims each payer owes for, by 施術年月: filed claims of closed months not waiting
    /// on a 返戻, with re-submitted ones as re-filed.
    fn expected(&self) -> BTreeMap<(String, ClaimMonth), Vec<ExpectedClaim>> {
        let mut out = BTreeMap::new();
        for m in self.months.iter().filter(|m| m.closed_at.is_some()) {
            for c in self.month_claims(m.month) {
                let Ok(claim) = &c.claim else { continue };
                match self.return_of(m.month, &c.case_id) {
                    None => expected_of(&mut out, &c.case_id, &c.patient_name, None, claim),
                    Some(r) => {
                        if let Some(s) = &r.resubmitted {
                            expected_of(
                                &mut out,
                                &c.case_id,
                                &c.patient_name,
                                Some(s.batch),
                                &s.claim,
                            );
                        }
                    }
                }
            }
        }
        for v in out.values_mut() {
            v.sort_by(|a, b| (&a.patient_name, &a.case_id).cmp(&(&b.patient_name, &b.case_id)));
        }
        out
    }

    /// Payments matched to the filed claims, per payer and month, with the totals per payer.
    pub fn matching(&self) -> Matching {
        let mut groups: BTreeMap<(String, ClaimMonth), PayerMonth> = self
            .expected()
            .into_iter()
            .map(|((payer, month), claims)| {
                let expected_yen = claims.iter().map(|c| u64::from(c.expected_yen)).sum();
                (
                    (payer.clone(), month),
                    PayerMonth {
                        payer,
                        month,
                        claims,
                        expected_yen,
                        received_yen: 0,
                        outstanding_yen: 0,
                        over_yen: 0,
                    },
                )
            })
            .collect();
        for p in &self.payments {
            let g = groups
                .entry((p.payer.clone(), p.month))
                .or_insert_with(|| PayerMonth {
                    payer: p.payer.clone(),
                    month: p.month,
                    claims: Vec::new(),
                    expected_yen: 0,
                    received_yen: 0,
                    outstanding_yen: 0,
                    over_yen: 0,
                });
            g.received_yen += u64::from(p.amount_yen);
        }
        let mut totals: BTreeMap<String, PayerTotal> = BTreeMap::new();
        for g in groups.values_mut() {
            let mut left = g.received_yen;
            for c in &mut g.claims {
                let take = left.min(u64::from(c.expected_yen));
                c.matched_yen = u32::try_from(take).unwrap_or(u32::MAX);
                left -= take;
            }
            g.over_yen = left;
            g.outstanding_yen = g.expected_yen.saturating_sub(g.received_yen);
            let t = totals.entry(g.payer.clone()).or_insert_with(|| PayerTotal {
                payer: g.payer.clone(),
                expected_yen: 0,
                received_yen: 0,
                outstanding_yen: 0,
            });
            t.expected_yen += g.expected_yen;
            t.received_yen += g.received_yen;
            t.outstanding_yen += g.outstanding_yen;
        }
        Matching {
            groups: groups.into_values().collect(),
            totals: totals.into_values().collect(),
        }
    }

    pub(super) fn add_payment(&mut self, p: NewPayment) -> Result<(), RecordError> {
        let payer = crate::text::ascii_digits(p.payer.trim());
        if payer.is_empty() || !payer.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RecordError::PayerRequired);
        }
        if p.amount_yen == 0 {
            return Err(RecordError::AmountRequired);
        }
        let id = self.fresh_id("pay");
        self.payments.push(Payment {
            id,
            payer,
            month: p.month,
            received_on: p.received_on,
            amount_yen: p.amount_yen,
            note: p.note.trim().to_string(),
        });
        Ok(())
    }
}
