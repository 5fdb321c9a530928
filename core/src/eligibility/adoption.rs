//! The deadlines for 施術所 to adopt オンライン資格確認 and the やむを得ない事由 that except a
//! 施術所 from it, as dated data with their source (`adoption.json`,
//! docs/reference/eligibility.md §6), and how far a day is from each deadline.
//! 導入状況 shows them; the words around the count are the page's.

use crate::date::Date;
use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// Stable id (the page's element id).
    pub id: String,
    /// The day counted to; for an approximate one, a nominal day in its month or season.
    pub date: Date,
    /// The source gives no day ("around …", "end of …").
    pub approximate: bool,
    /// The one the screen counts down to (受領委任 stops).
    #[serde(default)]
    pub key: bool,
    pub when_ja: String,
    pub when_en: String,
    pub what_ja: String,
    pub what_en: String,
    pub source: String,
}

/// Where `today` stands against a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// This many days left (an exact deadline: 0 is today).
    Left(i64),
    Today,
    /// Passed this many days ago.
    Passed(i64),
    /// An approximate deadline within its month: "about now".
    AboutNow,
}

impl Deadline {
    pub fn standing(&self, today: Date) -> Standing {
        let n = today.days_until(self.date);
        match (n, self.approximate) {
            (n, _) if n > 0 => Standing::Left(n),
            (0, false) => Standing::Today,
            (n, true) if n > -31 => Standing::AboutNow,
            (n, _) => Standing::Passed(-n),
        }
    }
}

/// One やむを得ない事由: a 施術所 that meets it may declare it instead of adopting.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Stable id (the page's element id).
    pub id: String,
    pub ja: String,
    pub en: String,
}

/// The やむを得ない事由 with the notice they come from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Exceptions {
    pub source: String,
    pub title_ja: String,
    pub title_en: String,
    pub reasons: Vec<Reason>,
}

#[derive(Deserialize)]
struct DeadlineFile {
    deadlines: Vec<Deadline>,
    exceptions: Exceptions,
}

const ADOPTION_JSON: &str = include_str!("adoption.json");

/// The bundled deadlines, oldest first (parsed once). A file that does not parse is a build
/// mistake the unit test below catches; the page then shows none.
pub fn deadlines() -> &'static [Deadline] {
    &file().0
}

/// The bundled やむを得ない事由 (empty, like the deadlines, if the file does not parse).
pub fn exceptions() -> &'static Exceptions {
    &file().1
}

fn file() -> &'static (Vec<Deadline>, Exceptions) {
    static ALL: OnceLock<(Vec<Deadline>, Exceptions)> = OnceLock::new();
    ALL.get_or_init(|| {
        serde_json::from_str::<DeadlineFile>(ADOPTION_JSON)
            .map(|f| (f.deadlines, f.exceptions))
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn the_bundled_deadlines_parse_in_order_with_one_key_and_a_source_each() {
        let all: Vec<Deadline> = serde_json::from_str::<DeadlineFile>(ADOPTION_JSON)
            .expect("adoption.json parses")
            .deadlines;
        assert_eq!(deadlines(), all.as_slice());
        assert!(
            all.windows(2).all(|w| w[0].date < w[1].date),
            "oldest first"
        );
        assert_eq!(all.iter().filter(|x| x.key).count(), 1);
        let key = all.iter().find(|x| x.key).expect("key");
        assert_eq!(key.date, d("2026-12-01"));
        assert!(key.approximate);
        for x in &all {
            assert!(!x.source.trim().is_empty(), "{} has no source", x.id);
            assert!(!x.what_ja.is_empty() && !x.what_en.is_empty(), "{}", x.id);
        }
    }

    #[test]
    fn the_bundled_exceptions_name_their_notice_and_the_three_reasons() {
        let x = exceptions();
        assert!(x.source.contains("2024-11-06"), "{}", x.source);
        let ids: Vec<&str> = x.reasons.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "exception-elderly",
                "exception-closing",
                "exception-leaving"
            ]
        );
        assert!(x.reasons[0].ja.contains("70歳以上"));
        for r in &x.reasons {
            assert!(!r.ja.is_empty() && !r.en.is_empty(), "{}", r.id);
        }
    }

    #[test]
    fn an_exact_deadline_counts_to_the_day_an_approximate_one_says_about_now() {
        let all = deadlines();
        let exact = all
            .iter()
            .find(|x| x.id == "deadline-subsidy")
            .expect("subsidy");
        assert_eq!(exact.standing(d("2026-01-14")), Standing::Left(1));
        assert_eq!(exact.standing(d("2026-01-15")), Standing::Today);
        assert_eq!(exact.standing(d("2026-01-25")), Standing::Passed(10));
        let around = all.iter().find(|x| x.key).expect("key");
        assert_eq!(around.standing(d("2026-11-30")), Standing::Left(1));
        assert_eq!(around.standing(d("2026-12-01")), Standing::AboutNow);
        assert_eq!(around.standing(d("2026-12-25")), Standing::AboutNow);
        assert_eq!(around.standing(d("2027-01-05")), Standing::Passed(35));
    }
}
