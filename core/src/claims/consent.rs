//! あはき 同意 periods: how long a doctor's 同意 (or 再同意) lets 療養費 be paid, and the
//! deadline a clinic must see coming (docs/claims.md, "同意の期間と期限").
//!
//! - はり・きゅう and マッサージ (同意書 from 2018-10): "施術者による初療の日又は医師による再同意日が、
//!   月の15日以前の場合は当該月の5ヶ月後の月の末日、月の16日以降の場合は当該月の6ヶ月後の月の末日まで"
//!   (疑義解釈 H30, 留意事項通知 別添1 第5章の1 / 別添2 第4章の1).
//! - 変形徒手矯正術: one month ("従来どおり1ヶ月"), counted day to day (6/15 → 7/14).

use super::model::{Case, Consent};
use crate::date::{days_in_month, Date};
use serde::{Deserialize, Serialize};

/// The last day of the month `n` months after `d`'s month.
fn month_end_after(d: Date, n: i32) -> Date {
    let index = d.year() * 12 + i32::from(d.month()) - 1 + n;
    let (y, m) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u8);
    Date::new(y, m, days_in_month(y, m)).unwrap_or(d)
}

/// The last day the rules let one 同意 cover, counted from `start` (the 初療日, or the
/// 再同意日).
pub fn rule_until(start: Date, deformity: bool) -> Date {
    if deformity {
        // One month, day to day: the day before the same day next month (or that month's end).
        let next = month_end_after(start, 1);
        let same =
            Date::new(next.year(), next.month(), start.day().min(next.day())).unwrap_or(next);
        return if start.day() > next.day() {
            same
        } else {
            same.add_days(-1)
        };
    }
    month_end_after(start, if start.day() <= 15 { 5 } else { 6 })
}

/// One 同意 as the rules read it: when its period starts and ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentPeriod {
    /// 同意日 (or 再同意日).
    pub consent_date: Date,
    /// The first day covered: the 初療日 for the first 同意 given before treatment began,
    /// else the 再同意日.
    pub start: Date,
    /// The last day covered: the earlier of the typed 加療期間 and the rules' limit.
    pub until: Date,
    /// The rules' limit (may be later than a typed 加療期間).
    pub rule_until: Date,
    /// The typed 加療期間 goes beyond what the rules allow.
    pub typed_too_long: bool,
    pub deformity: bool,
}

impl ConsentPeriod {
    pub fn of(c: &Consent, first_visit: Date) -> ConsentPeriod {
        let start = if c.date <= first_visit {
            first_visit
        } else {
            c.date
        };
        let rule = rule_until(start, c.deformity);
        ConsentPeriod {
            consent_date: c.date,
            start,
            until: c.valid_until.min(rule),
            rule_until: rule,
            typed_too_long: c.valid_until > rule,
            deformity: c.deformity,
        }
    }

    pub fn covers(&self, d: Date) -> bool {
        self.consent_date <= d && d <= self.until
    }
}

/// Every 同意 of an あはき case, oldest first.
pub fn periods(case: &Case) -> Vec<ConsentPeriod> {
    let first = case.first_visit_date();
    case.consents()
        .into_iter()
        .map(|c| ConsentPeriod::of(c, first))
        .collect()
}

/// How close the 同意 is to lapsing on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// More than a month left.
    Fine,
    /// Within the last 31 days (or the period's last month): ask the doctor for a 再同意.
    Soon,
    /// The period is over: visits from now on are not paid.
    Lapsed,
}

/// The deadline of a case's newest 同意, as reception and the patient screen show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub period: ConsentPeriod,
    /// Days from `today` to the last covered day (negative once lapsed).
    pub days_left: i64,
    pub urgency: Urgency,
}

impl Deadline {
    pub fn message_ja(&self) -> String {
        let p = &self.period;
        let kind = if p.deformity {
            "変形徒手矯正術の"
        } else {
            ""
        };
        match self.urgency {
            Urgency::Lapsed => format!(
                "{kind}同意の期間は{}で終わっています。再同意を得るまで療養費は支給されません。",
                p.until.wareki()
            ),
            Urgency::Soon => format!(
                "{kind}同意の期限は{}（あと{}日）です。それまでに医師の再同意を得てください。",
                p.until.wareki(),
                self.days_left
            ),
            Urgency::Fine => format!("{kind}同意の期限は{}です。", p.until.wareki()),
        }
    }

    pub fn message_en(&self) -> String {
        let p = &self.period;
        match self.urgency {
            Urgency::Lapsed => format!(
                "The doctor's consent ended on {}; nothing is paid until it is renewed.",
                p.until
            ),
            Urgency::Soon => format!(
                "The doctor's consent ends on {} ({} days left): ask the doctor to renew it.",
                p.until, self.days_left
            ),
            Urgency::Fine => format!("The doctor's consent runs until {}.", p.until),
        }
    }
}

/// The newest 同意's deadline on `today`; `None` for 柔整 or a case without 同意, and for a
/// case ended by a 転帰 (nothing left to renew).
pub fn deadline(case: &Case, today: Date) -> Option<Deadline> {
    let ended = match case {
        Case::Judo(_) => return None,
        Case::Acupuncture(c) => c.outcome.is_some(),
        Case::Massage(c) => c.outcome.is_some(),
    };
    if ended {
        return None;
    }
    let period = periods(case).into_iter().max_by_key(|p| p.until)?;
    let days_left = today.days_until(period.until);
    let last_month = today.year() == period.until.year() && today.month() == period.until.month();
    let urgency = if days_left < 0 {
        Urgency::Lapsed
    } else if days_left <= 31 || last_month {
        Urgency::Soon
    } else {
        Urgency::Fine
    };
    Some(Deadline {
        period,
        days_left,
        urgency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("test date")
    }

    #[test]
    fn six_months_end_on_a_month_end_by_the_15th_rule() {
        // 疑義解釈 H30: 15日以前 → 当該月の5ヶ月後の月の末日; 16日以降 → 6ヶ月後の月の末日.
        assert_eq!(rule_until(d("2025-01-10"), false), d("2025-06-30"));
        assert_eq!(rule_until(d("2025-01-15"), false), d("2025-06-30"));
        assert_eq!(rule_until(d("2025-01-16"), false), d("2025-07-31"));
        // Across a year end.
        assert_eq!(rule_until(d("2024-09-20"), false), d("2025-03-31"));
        assert_eq!(rule_until(d("2024-08-05"), false), d("2025-01-31"));
    }

    #[test]
    fn deformity_lasts_one_month_day_to_day() {
        assert_eq!(rule_until(d("2025-06-01"), true), d("2025-06-30"));
        assert_eq!(rule_until(d("2025-06-15"), true), d("2025-07-14"));
        // 1/31: February has no 31st; the period runs to its end.
        assert_eq!(rule_until(d("2025-01-31"), true), d("2025-02-28"));
    }

    #[test]
    fn the_first_period_counts_from_the_first_treatment() {
        let c = Consent {
            date: d("2025-01-05"),
            valid_until: d("2025-12-31"),
            doctor: "医師".into(),
            clinic: String::new(),
            deformity: false,
        };
        // Consent on 1/5, first treatment 1/20: the period runs from 1/20 to 7/31, and the
        // typed 12/31 is longer than the rules allow.
        let p = ConsentPeriod::of(&c, d("2025-01-20"));
        assert_eq!(p.start, d("2025-01-20"));
        assert_eq!(p.until, d("2025-07-31"));
        assert!(p.typed_too_long);
        assert!(p.covers(d("2025-01-10")));
        assert!(!p.covers(d("2025-08-01")));
    }
}
