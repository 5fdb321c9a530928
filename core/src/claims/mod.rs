//! The claim engine (療養費支給申請書): domain model, tariffs as data, fee rules, checks,
//! and the forms as data. Pure: "today" and all inputs are arguments.
//!
//! [`compute`] turns one case file ([`ClaimInput`]) into one [`MonthlyClaim`] per month
//! with visits. User guide, rules with their clauses, and the amounts' sources: docs/claims.md.

mod ahaki;
pub mod bench;
pub mod checks;
pub mod claim;
pub mod consent;
pub mod forms;
pub mod judo;
pub mod model;
pub mod public;
pub mod rounding;
pub mod tariff;

#[cfg(test)]
mod tests;

pub use claim::{ClaimLine, Finding, MonthlyClaim, PublicSplit, Severity, WindowDay};
pub use model::*;
pub use tariff::{Tariff, TariffError, TariffSet};

use crate::date::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Why no claim could be computed at all (as opposed to a [`Finding`] on a claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ClaimError {
    /// A visit falls outside every fee schedule: an error, never a zero amount.
    NoTariff {
        date: Date,
    },
    /// A schedule lacks an item the rules need (a data-file mistake).
    MissingTariffItem {
        tariff_id: String,
        code: String,
    },
    /// The requested month has no visits.
    NoVisits {
        month: Option<ClaimMonth>,
    },
    Tariffs(TariffError),
}

impl ClaimError {
    pub fn message_ja(&self) -> String {
        match self {
            ClaimError::NoTariff { date } => format!(
                "{}の施術に適用できる料金表がありません（対応: 2024年6月1日以降）。",
                date.wareki()
            ),
            ClaimError::MissingTariffItem { tariff_id, code } => {
                format!("料金表 {tariff_id} に項目 {code} がありません。")
            }
            ClaimError::NoVisits { month: Some(m) } => {
                format!("{}の施術日がありません。", m.wareki())
            }
            ClaimError::NoVisits { month: None } => "施術日が1日もありません。".to_string(),
            ClaimError::Tariffs(e) => format!("料金表を読めません: {e:?}"),
        }
    }
}

impl std::fmt::Display for ClaimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_ja())
    }
}

impl std::error::Error for ClaimError {}

/// Computes with the builtin fee schedules.
pub fn compute(input: &ClaimInput) -> Result<Vec<MonthlyClaim>, ClaimError> {
    let tariffs = TariffSet::builtin().map_err(ClaimError::Tariffs)?;
    compute_with(input, tariffs)
}

/// The visits by date, the first entered of each day kept, and the days entered more than
/// once (once per extra entry): the history every rule and the form read.
pub(crate) fn one_per_day<'v>(
    visits: impl IntoIterator<Item = &'v Visit>,
) -> (Vec<&'v Visit>, Vec<Date>) {
    let mut sorted: Vec<&Visit> = visits.into_iter().collect();
    sorted.sort_by_key(|v| v.date);
    let mut history: Vec<&Visit> = Vec::with_capacity(sorted.len());
    let mut duplicates: Vec<Date> = Vec::new();
    for v in sorted {
        if history.last().is_some_and(|l| l.date == v.date) {
            duplicates.push(v.date);
        } else {
            history.push(v);
        }
    }
    (history, duplicates)
}

/// Computes every month with visits (or only `input.month`).
pub fn compute_with(
    input: &ClaimInput,
    tariffs: &TariffSet,
) -> Result<Vec<MonthlyClaim>, ClaimError> {
    let schedule = tariff::Schedule::of(input.case.discipline());
    let (history, duplicates) = one_per_day(&input.visits);
    let months: BTreeSet<ClaimMonth> = match input.month {
        Some(m) => {
            if !history.iter().any(|v| ClaimMonth::of(v.date) == m) {
                return Err(ClaimError::NoVisits { month: Some(m) });
            }
            [m].into()
        }
        None => history.iter().map(|v| ClaimMonth::of(v.date)).collect(),
    };
    if months.is_empty() {
        return Err(ClaimError::NoVisits { month: None });
    }
    // Earlier months only feed the counts (長期, 頻回, 再検), so they need no schedule.
    if let Some(v) = history.iter().find(|v| {
        months.contains(&ClaimMonth::of(v.date)) && tariffs.on(schedule, v.date).is_none()
    }) {
        return Err(ClaimError::NoTariff { date: v.date });
    }
    let base = checks::input_findings(input);
    months
        .into_iter()
        .map(|m| month_claim(input, tariffs, &history, &duplicates, &base, m))
        .collect()
}

fn month_claim(
    input: &ClaimInput,
    tariffs: &TariffSet,
    history: &[&Visit],
    duplicates: &[Date],
    base: &[Finding],
    month: ClaimMonth,
) -> Result<MonthlyClaim, ClaimError> {
    let mut findings = base.to_vec();
    let mut twice: Vec<Date> = duplicates
        .iter()
        .copied()
        .filter(|d| ClaimMonth::of(*d) == month)
        .collect();
    twice.dedup();
    if let Some(first) = twice.first() {
        let (ja, en) = checks::date_lists(&twice);
        findings.push(Finding::error(
            "duplicate_visit",
            format!("visits[{first}]"),
            format!("{ja}の施術が2回以上入力されています（1回分だけ算定しました）。"),
            format!("{en}: the same day is entered more than once (billed once)."),
        ));
    }
    // Visits after a case-level 転帰 are reported and not billed.
    let closed = match &input.case {
        Case::Judo(_) => None,
        Case::Acupuncture(c) => c.outcome.as_ref().map(|o| o.date),
        Case::Massage(c) => c.outcome.as_ref().map(|o| o.date),
    };
    let history: Vec<&Visit> = history
        .iter()
        .copied()
        .filter(|v| closed.is_none_or(|c| v.date <= c))
        .collect();
    let (in_month, _) = one_per_day(
        input
            .visits
            .iter()
            .filter(|v| ClaimMonth::of(v.date) == month),
    );
    findings.extend(checks::month_findings(input, &in_month));

    let (lines, long_term, long_term_frequent) = match &input.case {
        Case::Judo(c) => {
            let jm = judo::month_lines(c, &input.clinic, &history, month, tariffs, &mut findings)?;
            (jm.lines.lines, jm.long_term, jm.long_term_frequent)
        }
        Case::Acupuncture(c) => {
            let l = ahaki::month_lines(
                ahaki::Kind::Acupuncture,
                c.first_visit_date,
                &consent::periods(&input.case),
                &history,
                month,
                tariffs,
                &mut findings,
            )?;
            (l.lines, false, false)
        }
        Case::Massage(c) => {
            let l = ahaki::month_lines(
                ahaki::Kind::Massage,
                c.first_visit_date,
                &consent::periods(&input.case),
                &history,
                month,
                tariffs,
                &mut findings,
            )?;
            (l.lines, false, false)
        }
    };
    if long_term_frequent {
        if let Case::Judo(c) = &input.case {
            if c.long_term_frequent_reason
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
            {
                findings.push(Finding::warning(
                    "long_term_frequent_reason_missing",
                    "case.long_term_frequent_reason",
                    "長期頻回（100分の50）の月です。長期頻回理由を記入してください。",
                    "A long-term frequent month (50/100): write the reason for the frequent treatment.",
                ));
            }
        }
    }
    findings.extend(checks::unverified_findings(&lines));
    findings.extend(checks::outreach_reason_findings(&lines, &in_month));
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));

    let total: u32 = lines
        .iter()
        .map(|l| l.amount_yen)
        .fold(0u32, u32::saturating_add);
    // The rounding rules of the schedule in force on the month's last visit (compute_with
    // checked that every visit of the month has one).
    let rounding = in_month
        .last()
        .and_then(|v| tariffs.on(schedule_of(input), v.date))
        .map(|t| &t.rounding)
        .ok_or(ClaimError::NoVisits { month: Some(month) })?;
    let rate = input.insurance.copay_percent.min(100);
    let (copay, billed) = rounding::claim_split(total, rate, rounding.claim.mode);
    let split = public::window_days(&lines, rate, &input.public_funds, rounding.window.mode);
    let window = split.days;
    let window_yen = window
        .iter()
        .map(|w| w.pays_yen)
        .fold(0u32, u32::saturating_add);
    // Each 公費 bills what it took off the patient; the first also anything the window's
    // rounding left between the form's 一部負担金 and what the first 公費 let through.
    let mut publics = input.public_funds.iter().take(2).zip(split.after_each);
    let public = publics.next().map(|(p, after_first)| {
        let after_first = after_first.min(copay);
        PublicSplit {
            payer_number: p.payer_number.clone(),
            recipient_number: p.recipient_number.clone(),
            patient_pays_yen: window_yen.min(copay),
            public_billed_yen: copay - after_first,
        }
    });
    let public2 = publics.next().map(|(p, after_second)| {
        let after_first = public
            .as_ref()
            .map_or(copay, |f| copay - f.public_billed_yen);
        let after_second = after_second.min(after_first);
        PublicSplit {
            payer_number: p.payer_number.clone(),
            recipient_number: p.recipient_number.clone(),
            patient_pays_yen: window_yen.min(after_second),
            public_billed_yen: after_first - after_second,
        }
    });
    // 実日数 counts days with something billed, not days merely entered.
    let mut visit_dates: Vec<Date> = lines.iter().map(|l| l.date).collect();
    visit_dates.sort();
    visit_dates.dedup();
    Ok(MonthlyClaim {
        month,
        discipline: input.case.discipline(),
        insurer_number: input.insurance.insurer_number.trim().to_string(),
        visit_dates,
        lines,
        total_yen: total,
        copay_yen: copay,
        billed_yen: billed,
        window,
        window_yen,
        public,
        public2,
        long_term,
        long_term_frequent,
        findings,
    })
}

fn schedule_of(input: &ClaimInput) -> tariff::Schedule {
    tariff::Schedule::of(input.case.discipline())
}
