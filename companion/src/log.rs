//! Log lines for the vendor's support person: one line per event, UTC timestamp, connection
//! and request ids. Never a PIN, a key, a pairing code or a patient's personal data.
//! Whatever a page sent that ends up in a line (its client name, an origin) cannot forge
//! another line: control characters are written as escapes.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

pub fn timestamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let day = ukemi_core::Date::from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!("{day}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// Writes control characters (newlines, escape sequences, the Unicode line and paragraph
/// separators, bidirectional overrides) as `\n`, `\u{…}`, so one call is one line that
/// reads as what it is.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c) =>
            {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

pub fn write(level: &str, msg: std::fmt::Arguments<'_>) {
    let line = escape(&msg.to_string());
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{} {level} {line}", timestamp());
}

#[macro_export]
macro_rules! info {
    ($($t:tt)*) => { $crate::log::write("INFO", format_args!($($t)*)) };
}

#[macro_export]
macro_rules! warn {
    ($($t:tt)*) => { $crate::log::write("WARN", format_args!($($t)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_newline_stays_on_its_line() {
        let e = escape("ukemi-web\n2026-11-30T00:00:00Z WARN forged\r\u{1b}[31m\u{2028}\u{202e}x");
        assert!(!e.contains('\n') && !e.contains('\r') && !e.contains('\u{1b}'));
        assert!(e.starts_with("ukemi-web\\n2026"), "{e}");
        assert!(e.contains("\\u{1b}") && e.contains("\\u{2028}") && e.contains("\\u{202e}"));
        assert_eq!(escape("接骨院 a\\b"), "接骨院 a\\\\b");
    }
}
