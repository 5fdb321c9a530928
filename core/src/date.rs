//! Calendar dates without a clock: Ukemi's domain only ever needs whole days
//! (birthdates, validity periods, visit dates), and `core` may not read the
//! system time — callers pass "today" in.

use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A proleptic Gregorian calendar date. Serialised as `"YYYY-MM-DD"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// A date that does not exist or is not written as one. The text says why, in Japanese
/// and English, because it reaches clinics (a typed case file) and vendors (logs) alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(pub String);

impl DateError {
    fn shape(s: &str) -> DateError {
        DateError(format!(
            "日付「{s}」は YYYY-MM-DD（例: 2024-10-01）で書いてください / invalid date {s:?}: write it as YYYY-MM-DD"
        ))
    }

    fn range(year: i32, month: u8, day: u8) -> DateError {
        let text = format!("{year:04}-{month:02}-{day:02}");
        DateError(if !(1..=9999).contains(&year) {
            format!(
                "日付「{text}」の年が範囲外です / invalid date {text}: the year is out of range"
            )
        } else if !(1..=12).contains(&month) {
            format!("日付「{text}」: {month}月はありません（1〜12月） / invalid date {text}: there is no month {month} (1–12)")
        } else {
            let last = days_in_month(year, month);
            format!(
                "日付「{text}」は存在しません（{year}年{month}月は{last}日まで） / invalid date {text}: {year}-{month:02} has {last} days"
            )
        })
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateError {}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, DateError> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(DateError::range(year, month, day));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::range(year, month, day));
        }
        Ok(Date { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Parses `yyyyMMdd` (the eligibility service's form) or `yyyy-MM-dd`.
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let s = s.trim();
        let digits: String = s.chars().filter(|c| *c != '-' && *c != '/').collect();
        let dashed_ok = s.len() == 8
            || (s.len() == 10 && s.chars().filter(|c| *c == '-' || *c == '/').count() == 2);
        if digits.len() != 8 || !dashed_ok || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DateError::shape(s));
        }
        let num =
            |r: core::ops::Range<usize>| digits[r].parse::<i32>().map_err(|_| DateError::shape(s));
        Date::new(num(0..4)?, num(4..6)? as u8, num(6..8)? as u8)
    }

    /// `yyyyMMdd`, as the eligibility service writes dates.
    pub fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// Days since 1970-01-01 (negative before). Howard Hinnant's civil-from-days inverse.
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        Date {
            year: (y + i64::from(m <= 2)) as i32,
            month: m,
            day: d,
        }
    }

    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.to_days() + n)
    }

    /// Whole days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.to_days() - self.to_days()
    }

    /// 0 = Sunday … 6 = Saturday.
    pub fn weekday(self) -> u8 {
        (self.to_days() + 4).rem_euclid(7) as u8
    }

    /// Age in completed years on `on` (a person born on 29 Feb ages on 1 Mar in common years,
    /// which is how Japanese law counts it: the day before the birthday ends the year).
    pub fn age_on(self, on: Date) -> i32 {
        let mut age = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            age -= 1;
        }
        age
    }

    /// First day of the month `n` months after this date's month (negative goes back).
    pub fn month_start_offset(self, n: i32) -> Date {
        let idx = self.year * 12 + i32::from(self.month) - 1 + n;
        Date {
            year: idx.div_euclid(12),
            month: (idx.rem_euclid(12) + 1) as u8,
            day: 1,
        }
    }

    /// Months between the month of `self` and the month of `later` (same month = 0).
    pub fn months_until(self, later: Date) -> i32 {
        (later.year * 12 + i32::from(later.month)) - (self.year * 12 + i32::from(self.month))
    }

    /// The date in the Japanese era calendar, e.g. `令和8年11月25日`.
    pub fn wareki(self) -> String {
        let w = self.era();
        format!(
            "{}{}年{}月{}日",
            w.name,
            w.year_label(),
            self.month,
            self.day
        )
    }

    /// Era and year within it, e.g. (令和, 8).
    pub fn era(self) -> Wareki {
        let key = (self.year, self.month, self.day);
        let (name, letter, start) = ERAS
            .iter()
            .copied()
            .find(|(_, _, start)| key >= *start)
            .unwrap_or(("西暦", "AD", (1, 1, 1)));
        let year = if name == "西暦" {
            self.year
        } else {
            self.year - start.0 + 1
        };
        Wareki { name, letter, year }
    }
}

/// Newest first: (name, letter, first day).
const ERAS: [(&str, &str, (i32, u8, u8)); 5] = [
    ("令和", "R", (2019, 5, 1)),
    ("平成", "H", (1989, 1, 8)),
    ("昭和", "S", (1926, 12, 25)),
    ("大正", "T", (1912, 7, 30)),
    ("明治", "M", (1868, 1, 25)),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wareki {
    pub name: &'static str,
    /// The letter used on forms and in data entry (R, H, S, T, M).
    pub letter: &'static str,
    pub year: i32,
}

impl Wareki {
    /// `元` for the first year of an era, as printed on official forms.
    pub fn year_label(&self) -> String {
        if self.year == 1 && self.name != "西暦" {
            "元".to_string()
        } else {
            self.year.to_string()
        }
    }
}

/// Why a typed date was not understood; each says which rule failed, for the field's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypedDateError {
    /// Nothing typed.
    Empty,
    /// Not a form we read.
    Unreadable,
    /// Six digits (`430412`) need an era.
    NeedsEra,
    /// The year is not in the era (平成32年, 令和0年), or the day is outside it (平成31年5月1日).
    OutsideEra { era: &'static str },
    /// No such day (2月30日, 13月).
    NoSuchDay,
}

impl TypedDateError {
    pub fn message_ja(&self) -> String {
        match self {
            TypedDateError::Empty => "日付を入力してください。".into(),
            TypedDateError::Unreadable => "日付として読めません。S43.4.12、昭和43年4月12日、1968-04-12 のように入力してください。".into(),
            TypedDateError::NeedsEra => "6桁の日付には元号が必要です。元号を選ぶか、S430412 のように頭に付けてください。".into(),
            TypedDateError::OutsideEra { era } => format!("{era}にはない日付です。元号と年を確かめてください。"),
            TypedDateError::NoSuchDay => "その月にない日付です（月は1〜12、日はその月の日数まで）。".into(),
        }
    }
    pub fn message_en(&self) -> String {
        match self {
            TypedDateError::Empty => "Enter a date.".into(),
            TypedDateError::Unreadable => {
                "Not a date. Type e.g. S43.4.12, 昭和43年4月12日 or 1968-04-12.".into()
            }
            TypedDateError::NeedsEra => {
                "A six-digit date needs an era: choose one, or type it first (S430412).".into()
            }
            TypedDateError::OutsideEra { era } => {
                format!("{era} has no such date: check the era and year.")
            }
            TypedDateError::NoSuchDay => {
                "No such day (months 1–12, days up to the month's length).".into()
            }
        }
    }
}

/// The eras a typed date may name, newest first: (name, letter).
pub fn era_names() -> impl Iterator<Item = (&'static str, &'static str)> {
    ERAS.iter().map(|(name, letter, _)| (*name, *letter))
}

/// The era whose name (`昭和`) or letter (`S`, `s`) is given.
fn era_by(key: &str) -> Option<(&'static str, (i32, u8, u8))> {
    ERAS.iter()
        .find(|(name, letter, _)| *name == key || letter.eq_ignore_ascii_case(key))
        .map(|(name, _, start)| (*name, *start))
}

/// Full-width digits, letters and punctuation as their ASCII twins; spaces dropped.
fn narrow(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '．' | '／' | '－' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            'ー' | '−' | '‐' | '―' => '-',
            _ => c,
        })
        .collect()
}

impl Date {
    /// A date as people type it on a form: `1968-04-12`, `1968/4/12`, `19680412`,
    /// `S43.4.12`, `昭和43年4月12日`, `令和元年5月1日`, `1968年4月12日`, the レセプト style
    /// `3430412` (era digit 1 明治 … 5 令和) or `430412` with `era` (a name or letter) chosen
    /// beside the field. Full-width digits are read too. An era's year must exist and the day
    /// must fall inside the era (平成31年5月1日 is refused: that day is 令和).
    pub fn parse_typed(input: &str, era: Option<&str>) -> Result<Date, TypedDateError> {
        let s = narrow(input);
        if s.is_empty() {
            return Err(TypedDateError::Empty);
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.len() {
                8 => ymd(&s[0..4], &s[4..6], &s[6..8]),
                7 => {
                    let letter = match &s[0..1] {
                        "1" => "M",
                        "2" => "T",
                        "3" => "S",
                        "4" => "H",
                        "5" => "R",
                        _ => return Err(TypedDateError::Unreadable),
                    };
                    in_era(letter, &s[1..3], &s[3..5], &s[5..7])
                }
                6 => match era {
                    Some(e) => in_era(e, &s[0..2], &s[2..4], &s[4..6]),
                    None => Err(TypedDateError::NeedsEra),
                },
                _ => Err(TypedDateError::Unreadable),
            };
        }
        // An era name or letter in front, then numbers split by anything.
        let (era_key, rest) = match ERAS.iter().find_map(|(name, letter, _)| {
            s.strip_prefix(name).map(|r| (*name, r)).or_else(|| {
                let first = s.get(0..1)?;
                first
                    .eq_ignore_ascii_case(letter)
                    .then(|| (*letter, s.get(1..).unwrap_or("")))
            })
        }) {
            Some((e, r)) => (Some(e), r),
            None => (None, s.as_str()),
        };
        let rest = rest.replacen('元', "1", 1);
        let parts: Vec<&str> = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .collect();
        let parts = match parts.as_slice() {
            // S430412 after an era letter: two digits each.
            [one] if era_key.is_some() && one.len() == 6 => {
                vec![&one[0..2], &one[2..4], &one[4..6]]
            }
            _ => parts,
        };
        let [y, m, d] = parts.as_slice() else {
            return Err(TypedDateError::Unreadable);
        };
        match era_key {
            Some(e) => in_era(e, y, m, d),
            None if y.len() == 4 => ymd(y, m, d),
            None => match era {
                Some(e) => in_era(e, y, m, d),
                None => Err(TypedDateError::NeedsEra),
            },
        }
    }
}

fn number(s: &str) -> Result<u32, TypedDateError> {
    if s.is_empty() || s.len() > 4 {
        return Err(TypedDateError::Unreadable);
    }
    s.parse().map_err(|_| TypedDateError::Unreadable)
}

fn ymd(y: &str, m: &str, d: &str) -> Result<Date, TypedDateError> {
    let (y, m, d) = (number(y)?, number(m)?, number(d)?);
    if m > 12 || d > 31 {
        return Err(TypedDateError::NoSuchDay);
    }
    Date::new(y as i32, m as u8, d as u8).map_err(|_| TypedDateError::NoSuchDay)
}

fn in_era(era: &str, y: &str, m: &str, d: &str) -> Result<Date, TypedDateError> {
    let (name, start) = era_by(era).ok_or(TypedDateError::Unreadable)?;
    let year = number(y)?;
    if year == 0 || year > 99 {
        return Err(TypedDateError::OutsideEra { era: name });
    }
    let date = ymd(&(start.0 + year as i32 - 1).to_string(), m, d)?;
    if date.era().name != name {
        return Err(TypedDateError::OutsideEra { era: name });
    }
    Ok(date)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("valid test date")
    }

    #[test]
    fn parses_both_forms_and_rejects_nonsense() {
        assert_eq!(d("20230221"), d("2023-02-21"));
        assert!(Date::parse("20230230").is_err());
        assert!(Date::parse("2023-2-21").is_err());
        assert!(Date::parse("abcdefgh").is_err());
        assert!(Date::parse("").is_err());
        assert!(Date::parse("20231301").is_err());
        assert_eq!(d("2024-02-29").day(), 29);
        assert!(Date::parse("20230229").is_err());
    }

    #[test]
    fn day_arithmetic_round_trips() {
        for days in [-800_000_i64, -1, 0, 1, 19_000, 20_000, 2_000_000] {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert_eq!(d("1970-01-01").to_days(), 0);
        assert_eq!(d("2024-02-28").add_days(1), d("2024-02-29"));
        assert_eq!(d("2023-12-31").add_days(1), d("2024-01-01"));
        assert_eq!(d("2026-11-25").weekday(), 3); // a Wednesday
    }

    /// Impossible dates are refused with the reason, in Japanese and English.
    #[test]
    fn impossible_dates_say_why() {
        let e = Date::parse("2024-02-30").expect_err("no 30 February");
        assert!(
            e.0.contains("2024年2月は29日まで") && e.0.contains("has 29 days"),
            "{e}"
        );
        let e = Date::parse("2023-02-29").expect_err("not a leap year");
        assert!(e.0.contains("28日まで"), "{e}");
        let e = Date::parse("2024-13-01").expect_err("no month 13");
        assert!(
            e.0.contains("13月はありません") && e.0.contains("no month 13"),
            "{e}"
        );
        let e = Date::parse("2024/1/5").expect_err("not the shape");
        assert!(e.0.contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn wareki_boundaries() {
        assert_eq!(d("2019-04-30").wareki(), "平成31年4月30日");
        assert_eq!(d("2019-05-01").wareki(), "令和元年5月1日");
        assert_eq!(d("2026-11-25").wareki(), "令和8年11月25日");
        assert_eq!(d("1989-01-07").wareki(), "昭和64年1月7日");
        assert_eq!(d("1989-01-08").wareki(), "平成元年1月8日");
        assert_eq!(d("1926-12-25").era().name, "昭和");
    }

    #[test]
    fn ages_and_months() {
        assert_eq!(d("1950-11-26").age_on(d("2026-11-25")), 75);
        assert_eq!(d("1950-11-25").age_on(d("2026-11-25")), 76);
        assert_eq!(d("2026-01-31").month_start_offset(1), d("2026-02-01"));
        assert_eq!(d("2026-01-31").month_start_offset(-1), d("2025-12-01"));
        assert_eq!(d("2024-06-16").months_until(d("2024-11-01")), 5);
    }
    #[test]
    fn typed_dates_in_every_form_people_write() {
        let want = d("1968-04-12");
        for typed in [
            "1968-04-12",
            "1968/4/12",
            "19680412",
            "S43.4.12",
            "s43/04/12",
            "S43-4-12",
            "S430412",
            "昭和43年4月12日",
            "昭和４３年４月１２日",
            "Ｓ４３．４．１２",
            "1968年4月12日",
            "3430412",
            " S43.4.12 ",
        ] {
            assert_eq!(Date::parse_typed(typed, None), Ok(want), "{typed}");
        }
        assert_eq!(Date::parse_typed("430412", Some("昭和")), Ok(want));
        assert_eq!(Date::parse_typed("430412", Some("S")), Ok(want));
        assert_eq!(Date::parse_typed("43.4.12", Some("昭和")), Ok(want));
        assert_eq!(
            Date::parse_typed("令和元年5月1日", None),
            Ok(d("2019-05-01"))
        );
        assert_eq!(Date::parse_typed("R1.5.1", None), Ok(d("2019-05-01")));
        assert_eq!(Date::parse_typed("H1.1.8", None), Ok(d("1989-01-08")));
        assert_eq!(Date::parse_typed("5061001", None), Ok(d("2024-10-01")));
    }

    #[test]
    fn typed_dates_say_which_rule_failed() {
        assert_eq!(Date::parse_typed("", None), Err(TypedDateError::Empty));
        assert_eq!(
            Date::parse_typed("430412", None),
            Err(TypedDateError::NeedsEra)
        );
        assert_eq!(
            Date::parse_typed("平成31年5月1日", None),
            Err(TypedDateError::OutsideEra { era: "平成" })
        );
        assert_eq!(
            Date::parse_typed("H32.1.1", None),
            Err(TypedDateError::OutsideEra { era: "平成" })
        );
        assert_eq!(
            Date::parse_typed("昭和64年1月8日", None),
            Err(TypedDateError::OutsideEra { era: "昭和" })
        );
        assert_eq!(
            Date::parse_typed("R0.1.1", None),
            Err(TypedDateError::OutsideEra { era: "令和" })
        );
        assert_eq!(
            Date::parse_typed("2023-02-30", None),
            Err(TypedDateError::NoSuchDay)
        );
        assert_eq!(
            Date::parse_typed("S43.13.1", None),
            Err(TypedDateError::NoSuchDay)
        );
        assert_eq!(
            Date::parse_typed("きのう", None),
            Err(TypedDateError::Unreadable)
        );
        assert_eq!(
            Date::parse_typed("9430412", None),
            Err(TypedDateError::Unreadable)
        );
        assert!(TypedDateError::OutsideEra { era: "平成" }
            .message_ja()
            .contains("平成"));
    }
}
