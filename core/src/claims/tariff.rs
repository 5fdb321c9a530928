//! Fee schedules as data. Each revision is a JSON file in `tariffs/` with its own
//! effective dates; a new revision is a new file added to [`BUILTIN`], never new rule code.
//! Every amount carries its provenance so a line computed from an unverified amount can be
//! shown as 要確認.

use super::model::Discipline;
use super::rounding::Rounding;
use crate::date::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schedules shipped with Ukemi, oldest first.
const BUILTIN: [&str; 4] = [
    include_str!("tariffs/judo_r6_06.json"),
    include_str!("tariffs/judo_r6_10.json"),
    include_str!("tariffs/ahaki_r6_06.json"),
    include_str!("tariffs/ahaki_r6_10.json"),
];

/// はり・きゅう and マッサージ are one schedule (あはき).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    Judo,
    Ahaki,
}

impl Schedule {
    pub fn of(d: Discipline) -> Schedule {
        match d {
            Discipline::Judo => Schedule::Judo,
            Discipline::Acupuncture | Discipline::Massage => Schedule::Ahaki,
        }
    }
}

/// One amount (yen) or rate (percent) with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TariffItem {
    pub value: u32,
    pub label: String,
    /// false for [U] facts: usable, but every line using it says 要確認.
    pub verified: bool,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tariff {
    pub id: String,
    pub discipline: Schedule,
    pub name: String,
    pub effective_from: Date,
    /// Inclusive; `null` = still in force.
    pub effective_to: Option<Date>,
    /// あはき from 2024-10: 訪問施術料 replaces 施術料 + 往療料 for planned visits, and
    /// 往療料 is only for sudden calls, without the 4km 加算.
    pub visit_fee_model: bool,
    /// How reduced unit prices, the 申請書's split and the window amount are rounded.
    pub rounding: Rounding,
    pub items: BTreeMap<String, TariffItem>,
}

impl Tariff {
    pub fn covers(&self, d: Date) -> bool {
        d >= self.effective_from && self.effective_to.is_none_or(|to| d <= to)
    }
    pub fn item(&self, code: &str) -> Option<&TariffItem> {
        self.items.get(code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TariffError {
    /// A data file does not parse (a build-time mistake, caught by the tests).
    Data { index: usize, message: String },
    /// Two schedules of one kind claim the same day.
    Overlap { first: String, second: String },
}

/// All schedules, searchable by day.
#[derive(Debug, Clone, PartialEq)]
pub struct TariffSet {
    tariffs: Vec<Tariff>,
}

impl TariffSet {
    /// The schedules shipped in `tariffs/*.json`, parsed once per process (the month view
    /// computes every claim on each change).
    pub fn builtin() -> Result<&'static TariffSet, TariffError> {
        static SET: std::sync::OnceLock<Result<TariffSet, TariffError>> =
            std::sync::OnceLock::new();
        SET.get_or_init(|| Self::from_json(&BUILTIN))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Schedules from JSON texts (the builtin ones, or a test's).
    pub fn from_json(texts: &[&str]) -> Result<TariffSet, TariffError> {
        let mut tariffs = Vec::with_capacity(texts.len());
        for (index, text) in texts.iter().enumerate() {
            let t: Tariff = serde_json::from_str(text).map_err(|e| TariffError::Data {
                index,
                message: e.to_string(),
            })?;
            tariffs.push(t);
        }
        Self::new(tariffs)
    }

    pub fn new(tariffs: Vec<Tariff>) -> Result<TariffSet, TariffError> {
        for (i, a) in tariffs.iter().enumerate() {
            for b in tariffs.iter().skip(i + 1) {
                let overlap = a.discipline == b.discipline
                    && a.effective_to.is_none_or(|to| b.effective_from <= to)
                    && b.effective_to.is_none_or(|to| a.effective_from <= to);
                if overlap {
                    return Err(TariffError::Overlap {
                        first: a.id.clone(),
                        second: b.id.clone(),
                    });
                }
            }
        }
        Ok(TariffSet { tariffs })
    }

    /// The schedule in force on `d`, if any.
    pub fn on(&self, schedule: Schedule, d: Date) -> Option<&Tariff> {
        self.tariffs
            .iter()
            .find(|t| t.discipline == schedule && t.covers(d))
    }

    pub fn all(&self) -> &[Tariff] {
        &self.tariffs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("test date")
    }

    #[test]
    fn builtin_files_parse_and_do_not_overlap() {
        let set = TariffSet::builtin().expect("builtin tariffs");
        assert_eq!(set.all().len(), 4);
        for t in set.all() {
            for (code, item) in &t.items {
                assert!(!item.source.is_empty(), "{} {code} has no source", t.id);
            }
        }
    }

    #[test]
    fn picks_the_schedule_in_force() {
        let set = TariffSet::builtin().expect("builtin tariffs");
        let j = |s| set.on(Schedule::Judo, d(s)).map(|t| t.id.as_str());
        assert_eq!(j("2024-06-01"), Some("judo-r6-06"));
        assert_eq!(j("2024-09-30"), Some("judo-r6-06"));
        assert_eq!(j("2024-10-01"), Some("judo-r6-10"));
        assert_eq!(j("2024-05-31"), None);
    }

    /// "明細書発行体制加算 | 13円 → 10円 (月1回) | 2024-10-01"
    #[test]
    fn statement_addon_changes_in_october() {
        let set = TariffSet::builtin().expect("builtin tariffs");
        let v = |s| {
            set.on(Schedule::Judo, d(s))
                .and_then(|t| t.item("statement_addon"))
                .map(|i| i.value)
        };
        assert_eq!(v("2024-09-30"), Some(13));
        assert_eq!(v("2024-10-01"), Some(10));
    }

    #[test]
    fn overlapping_revisions_are_refused() {
        let rounding = r#""rounding":{"reduced_unit":{"mode":"half_up_yen","verified":true,"source":"t"},"claim":{"mode":"billed_floor_yen","verified":true,"source":"t"},"window":{"mode":"half_up_ten_yen","verified":true,"source":"t"}}"#;
        let a = format!(
            r#"{{"id":"a","discipline":"judo","name":"a","effective_from":"2024-01-01","effective_to":null,"visit_fee_model":false,{rounding},"items":{{}}}}"#
        );
        let b = format!(
            r#"{{"id":"b","discipline":"judo","name":"b","effective_from":"2025-01-01","effective_to":null,"visit_fee_model":false,{rounding},"items":{{}}}}"#
        );
        assert!(matches!(
            TariffSet::from_json(&[&a, &b]),
            Err(TariffError::Overlap { .. })
        ));
        assert!(matches!(
            TariffSet::from_json(&["{"]),
            Err(TariffError::Data { index: 0, .. })
        ));
    }
}
