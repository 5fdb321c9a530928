//! The companion's clock. `core` never reads one; the companion gives it "today" in
//! Japan time, because 資格確認日 and claim dates are Japanese calendar days.

use std::time::{SystemTime, UNIX_EPOCH};
use ukemi_core::Date;

const JST_OFFSET_SECS: u64 = 9 * 3600;

pub fn today_jst() -> Date {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Date::from_days(((secs + JST_OFFSET_SECS) / 86_400) as i64)
}

/// Milliseconds on a monotonic clock since the companion started: the time the protocol's
/// deadlines and back-off are counted in.
pub fn monotonic_ms() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_millis() as u64
}
