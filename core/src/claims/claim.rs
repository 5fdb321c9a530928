//! The engine's output: a monthly claim with its lines, totals and findings.

use super::model::{ClaimMonth, Discipline};
use super::tariff::{Tariff, TariffItem};
use crate::date::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// A problem the clinic must look at. `field` is a JSON path into the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: String,
    pub field: String,
    pub message_ja: String,
    /// The same in English, for vendors and the English UI.
    #[serde(default)]
    pub message_en: String,
}

impl Finding {
    pub fn error(
        code: &str,
        field: impl Into<String>,
        message_ja: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Finding {
        Finding {
            severity: Severity::Error,
            code: code.to_string(),
            field: field.into(),
            message_ja: message_ja.into(),
            message_en: message_en.into(),
        }
    }
    pub fn warning(
        code: &str,
        field: impl Into<String>,
        message_ja: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Finding {
        Finding {
            severity: Severity::Warning,
            code: code.to_string(),
            field: field.into(),
            message_ja: message_ja.into(),
            message_en: message_en.into(),
        }
    }
}

/// One billed item on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimLine {
    pub date: Date,
    /// Tariff item code (`after_contusion_sprain`, `manual_first_fee` …).
    pub code: String,
    pub label_ja: String,
    /// Index into `case.injuries` (柔整).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub injury: Option<usize>,
    pub unit_yen: u32,
    pub count: u32,
    /// 多部位逓減 rate applied (100 = none).
    pub multi_part_percent: u32,
    /// 長期/長期頻回逓減 rate applied (100 = none).
    pub long_term_percent: u32,
    pub amount_yen: u32,
    /// False when the amount or a rate came from an unverified tariff entry: show 要確認.
    pub verified: bool,
    /// The practitioner typed the amount (no tariff row).
    pub manual: bool,
    pub tariff_id: String,
}

/// 公費 split of the 一部負担金 (simple model, docs/claims.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicSplit {
    pub payer_number: String,
    pub recipient_number: String,
    /// What the patient pays at the window.
    pub patient_pays_yen: u32,
    /// 公費請求額 (may be 0; still submitted).
    pub public_billed_yen: u32,
}

/// One visit as the patient pays for it at the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowDay {
    pub date: Date,
    /// The day's amount (sum of its lines).
    pub total_yen: u32,
    /// What the patient pays that day (rounded for the window: 柔整 to 10 yen, あはき to the yen).
    pub pays_yen: u32,
}

/// One 申請書: one case, one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyClaim {
    pub month: ClaimMonth,
    pub discipline: Discipline,
    pub insurer_number: String,
    pub visit_dates: Vec<Date>,
    pub lines: Vec<ClaimLine>,
    /// 合計.
    pub total_yen: u32,
    /// 一部負担金 as the 申請書 shows it (not the window's rounding).
    pub copay_yen: u32,
    /// 請求金額 = 合計 − 一部負担金, as the 申請書 shows it.
    pub billed_yen: u32,
    /// What the patient paid at the window, visit by visit.
    pub window: Vec<WindowDay>,
    /// The sum of `window`: the month's window amount (may differ from `copay_yen` by the
    /// window's rounding).
    pub window_yen: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public: Option<PublicSplit>,
    /// The second 公費, applied to what the first left to the patient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public2: Option<PublicSplit>,
    /// 長期逓減 applied this month (柔整).
    pub long_term: bool,
    /// 長期頻回逓減 applied this month (柔整).
    pub long_term_frequent: bool,
    pub findings: Vec<Finding>,
}

impl MonthlyClaim {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Appends lines for one month, keeping provenance straight.
pub(crate) struct Lines {
    pub lines: Vec<ClaimLine>,
}

impl Lines {
    pub fn new() -> Lines {
        Lines { lines: Vec::new() }
    }

    /// Adds `count` × the tariff item `item_code`, reduced by the given rate items (each a percent).
    pub fn add(
        &mut self,
        date: Date,
        tariff: &Tariff,
        item_code: &str,
        count: u32,
        injury: Option<usize>,
        rates: Rates<'_>,
    ) -> Result<(), super::ClaimError> {
        let item = tariff
            .item(item_code)
            .ok_or_else(|| super::ClaimError::MissingTariffItem {
                tariff_id: tariff.id.clone(),
                code: item_code.to_string(),
            })?;
        let mut percents = Vec::with_capacity(2);
        let mut verified = item.verified;
        let mut mp = 100;
        let mut lt = 100;
        if let Some(r) = rates.multi_part {
            percents.push(r.value);
            mp = r.value;
            verified &= r.verified;
        }
        if let Some(r) = rates.long_term {
            percents.push(r.value);
            lt = r.value;
            verified &= r.verified;
        }
        let unit =
            super::rounding::reduced(item.value, &percents, tariff.rounding.reduced_unit.mode);
        self.lines.push(ClaimLine {
            date,
            code: item_code.to_string(),
            label_ja: item.label.clone(),
            injury,
            unit_yen: item.value,
            count,
            multi_part_percent: mp,
            long_term_percent: lt,
            amount_yen: unit.saturating_mul(count),
            verified,
            manual: false,
            tariff_id: tariff.id.clone(),
        });
        Ok(())
    }

    /// A line whose amount the rules derive from other items (往療料の加算 = 往療料 × rate).
    pub fn add_derived(
        &mut self,
        date: Date,
        tariff: &Tariff,
        code: &str,
        label_ja: String,
        yen: u32,
        verified: bool,
    ) {
        self.lines.push(ClaimLine {
            date,
            code: code.to_string(),
            label_ja,
            injury: None,
            unit_yen: yen,
            count: 1,
            multi_part_percent: 100,
            long_term_percent: 100,
            amount_yen: yen,
            verified,
            manual: false,
            tariff_id: tariff.id.clone(),
        });
    }

    pub fn add_manual(
        &mut self,
        date: Date,
        tariff: &Tariff,
        label_ja: String,
        yen: u32,
        injury: usize,
    ) {
        self.lines.push(ClaimLine {
            date,
            code: "manual_first_fee".to_string(),
            label_ja,
            injury: Some(injury),
            unit_yen: yen,
            count: 1,
            multi_part_percent: 100,
            long_term_percent: 100,
            amount_yen: yen,
            verified: false,
            manual: true,
            tariff_id: tariff.id.clone(),
        });
    }
}

/// Reductions applied to a line.
#[derive(Clone, Copy, Default)]
pub(crate) struct Rates<'a> {
    pub multi_part: Option<&'a TariffItem>,
    pub long_term: Option<&'a TariffItem>,
}
