//! 公費 at the window: what the patient pays visit by visit under one or two 公費 (医療証),
//! and the common local 医療費助成 programs as dated data (`tariffs/local_aid.json`, each
//! with its source), so the clinic picks a program instead of typing its caps.
//!
//! The rule (docs/claims.md, 公費): the day's amount × the 公費's own rate, with the window's
//! rounding, never more than what the patient would pay without it; then the program's caps —
//! a paid-days limit per month (大阪府: from the 3rd day nothing), a cap per day, a cap per
//! month. A second 公費 applies the same to what the first left.

use super::claim::{ClaimLine, WindowDay};
use super::model::PublicFund;
use super::rounding::{self, WindowRounding};
use crate::date::Date;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The window per day and, for each 公費 in turn, the month's total the patient still paid
/// after it.
pub struct WindowSplit {
    pub days: Vec<WindowDay>,
    pub after_each: Vec<u32>,
}

/// One 公費's running limits over the month.
struct Limits<'a> {
    fund: &'a PublicFund,
    paid_days: u8,
    cap_left: Option<u32>,
    total: u32,
}

impl Limits<'_> {
    fn apply(&mut self, day_total: u32, before: u32, mode: WindowRounding) -> u32 {
        let f = self.fund;
        let mut pay = rounding::window(day_total, f.copay_percent, mode).min(before);
        if let Some(n) = f.paid_days_per_month {
            if self.paid_days >= n {
                pay = 0;
            }
        }
        if let Some(c) = f.per_day_cap_yen {
            pay = pay.min(c);
        }
        if let Some(left) = self.cap_left.as_mut() {
            pay = pay.min(*left);
            *left -= pay;
        }
        if pay > 0 {
            self.paid_days = self.paid_days.saturating_add(1);
        }
        self.total = self.total.saturating_add(pay);
        pay
    }
}

/// What the patient pays at the window, visit by visit: the day's amount × 負担割合 with the
/// window's rounding, then each 公費 (at most two) in turn.
pub fn window_days(
    lines: &[ClaimLine],
    copay_percent: u8,
    funds: &[PublicFund],
    mode: WindowRounding,
) -> WindowSplit {
    let mut days: Vec<WindowDay> = Vec::new();
    for l in lines {
        match days.iter_mut().find(|d| d.date == l.date) {
            Some(d) => d.total_yen = d.total_yen.saturating_add(l.amount_yen),
            None => days.push(WindowDay {
                date: l.date,
                total_yen: l.amount_yen,
                pays_yen: 0,
            }),
        }
    }
    days.sort_by_key(|d| d.date);
    let mut limits: Vec<Limits> = funds
        .iter()
        .take(2)
        .map(|fund| Limits {
            fund,
            paid_days: 0,
            cap_left: fund.monthly_cap_yen,
            total: 0,
        })
        .collect();
    for d in &mut days {
        let mut pay = rounding::window(d.total_yen, copay_percent, mode);
        for l in &mut limits {
            pay = l.apply(d.total_yen, pay, mode);
        }
        d.pays_yen = pay;
    }
    WindowSplit {
        days,
        after_each: limits.iter().map(|l| l.total).collect(),
    }
}

/// Which people a local program is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AidKind {
    /// 乳幼児・子ども医療費助成
    Child,
    /// ひとり親家庭等医療費助成
    SingleParent,
    /// 障害者（心身障害者）医療費助成
    Disability,
}

impl AidKind {
    pub fn label_ja(self) -> &'static str {
        match self {
            AidKind::Child => "乳幼児・子ども",
            AidKind::SingleParent => "ひとり親家庭等",
            AidKind::Disability => "障害者",
        }
    }
}

/// One local 医療費助成 program's patient share, in force from `effective_from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalAid {
    pub id: String,
    pub prefecture: String,
    pub name: String,
    pub kind: AidKind,
    pub copay_percent: u8,
    #[serde(default)]
    pub monthly_cap_yen: Option<u32>,
    #[serde(default)]
    pub per_day_cap_yen: Option<u32>,
    #[serde(default)]
    pub paid_days_per_month: Option<u8>,
    pub effective_from: Date,
    /// Where the figures were read, and how sure we are ([V-2nd] / [U]).
    pub source: String,
    pub verified: bool,
    /// What the clinic must still check (the program is run by each 市区町村).
    #[serde(default)]
    pub note: String,
}

impl LocalAid {
    /// The 公費 entry this program gives, for the numbers on the 医療証.
    pub fn fund(&self, payer_number: &str, recipient_number: &str) -> PublicFund {
        PublicFund {
            payer_number: payer_number.to_string(),
            recipient_number: recipient_number.to_string(),
            copay_percent: self.copay_percent,
            monthly_cap_yen: self.monthly_cap_yen,
            per_day_cap_yen: self.per_day_cap_yen,
            paid_days_per_month: self.paid_days_per_month,
            program: Some(self.id.clone()),
        }
    }
}

#[derive(Deserialize)]
struct AidFile {
    programs: Vec<LocalAid>,
}

const LOCAL_AID_JSON: &str = include_str!("tariffs/local_aid.json");

/// The bundled programs (parsed once). A file that does not parse is a build mistake the
/// unit test below catches; the app then simply offers none.
pub fn local_aid() -> &'static [LocalAid] {
    static PROGRAMS: OnceLock<Vec<LocalAid>> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        serde_json::from_str::<AidFile>(LOCAL_AID_JSON)
            .map(|f| f.programs)
            .unwrap_or_default()
    })
}

pub fn local_aid_by_id(id: &str) -> Option<&'static LocalAid> {
    local_aid().iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_programs_parse_and_cite_a_source() {
        let all: Vec<LocalAid> = serde_json::from_str::<AidFile>(LOCAL_AID_JSON)
            .expect("local_aid.json parses")
            .programs;
        assert!(all.len() >= 3);
        for p in &all {
            assert!(!p.source.trim().is_empty(), "{} has no source", p.id);
            assert!(p.copay_percent <= 30);
        }
        let mut ids: Vec<&str> = all.iter().map(|p| p.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "ids repeat");
    }
}
