//! The page's clock. Core reads none, so "now" and "today" are taken here and passed in.

use ukemi_core::Date;

/// Now as ISO 8601 in UTC, e.g. `2026-11-25T09:00:00.000Z`.
pub fn now_iso() -> String {
    js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
}

/// Today in the clinic's (the browser's) time zone.
pub fn today() -> Date {
    let d = js_sys::Date::new_0();
    // Month is 0-based in JavaScript; the values are always in range.
    Date::new(
        d.get_full_year() as i32,
        d.get_month() as u8 + 1,
        d.get_date() as u8,
    )
    .unwrap_or_else(|_| Date::from_days(0))
}
