//! Log lines for the vendor's support person: one line per event, UTC timestamp, connection
//! and request ids. Never a PIN, a key, a pairing code or a patient's personal data.
//! Whatever a page sent that ends up in a line (its client name, an origin) cannot forge
//! another line: control characters are written as escapes.
//!
//! Lines go to stderr (a terminal, systemd's journal, a test's file) and, once `to_file`
//! is called, to `companion.log` in the user's log folder: a companion started at logon has
//! no terminal. The file is rotated by size (`companion.log.1` … `.3`), so a clinic PC that
//! runs for years never fills its disk.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Rotate when the file would grow past this.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// Older files kept: companion.log.1 (newest) … companion.log.3.
pub const KEEP_FILES: usize = 3;

struct Sink {
    path: PathBuf,
    file: File,
    size: u64,
    max: u64,
}

static SINK: Mutex<Option<Sink>> = Mutex::new(None);

fn open_append(path: &Path) -> std::io::Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

impl Sink {
    fn open(path: PathBuf, max: u64) -> std::io::Result<Sink> {
        let file = open_append(&path)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(Sink {
            path,
            file,
            size,
            max,
        })
    }

    fn write_line(&mut self, line: &str) {
        let len = line.len() as u64 + 1;
        if self.size > 0 && self.size + len > self.max {
            self.rotate();
        }
        if writeln!(self.file, "{line}").is_ok() {
            self.size += len;
        }
    }

    fn rotate(&mut self) {
        let numbered = |n: usize| {
            let mut p = self.path.clone().into_os_string();
            p.push(format!(".{n}"));
            PathBuf::from(p)
        };
        let _ = std::fs::remove_file(numbered(KEEP_FILES));
        for n in (1..KEEP_FILES).rev() {
            let _ = std::fs::rename(numbered(n), numbered(n + 1));
        }
        // Windows cannot rename an open file: close it first (a stand-in takes its place).
        if let Ok(stand_in) = tempfile_stand_in(&self.path) {
            self.file = stand_in;
        }
        let _ = std::fs::rename(&self.path, numbered(1));
        if let Ok(f) = open_append(&self.path) {
            self.file = f;
            self.size = 0;
        }
    }
}

/// A handle on something other than the log, so the log can be renamed on Windows.
fn tempfile_stand_in(log: &Path) -> std::io::Result<File> {
    let mut p = log.to_path_buf().into_os_string();
    p.push(".rotating");
    let p = PathBuf::from(p);
    let f = open_append(&p)?;
    let _ = std::fs::remove_file(&p);
    Ok(f)
}

/// From now on, lines also go to `dir/companion.log`. Returns the file's path.
pub fn to_file(dir: &Path) -> std::io::Result<PathBuf> {
    to_file_with_limit(dir, MAX_FILE_BYTES)
}

fn to_file_with_limit(dir: &Path, max: u64) -> std::io::Result<PathBuf> {
    crate::dirs::ensure_private(dir)?;
    let path = dir.join("companion.log");
    let sink = Sink::open(path.clone(), max)?;
    if let Ok(mut s) = SINK.lock() {
        *s = Some(sink);
    }
    Ok(path)
}

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
    let line = format!("{} {level} {}", timestamp(), escape(&msg.to_string()));
    let _ = writeln!(std::io::stderr().lock(), "{line}");
    if let Ok(mut sink) = SINK.lock() {
        if let Some(s) = sink.as_mut() {
            s.write_line(&line);
        }
    }
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
    fn the_file_rotates_by_size_and_keeps_three() {
        let dir = std::env::temp_dir().join(format!("ukemi-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let mut sink = Sink::open(dir.join("companion.log"), 100).expect("open");
        for i in 0..20 {
            sink.write_line(&format!("line {i:02} {}", "x".repeat(30)));
        }
        let read = |n: &str| std::fs::read_to_string(dir.join(n)).unwrap_or_default();
        let current = read("companion.log");
        assert!(
            current.ends_with("line 19 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"),
            "{current}"
        );
        assert!(current.len() <= 100, "{}", current.len());
        assert!(read("companion.log.1").contains("line 17"));
        assert!(!read("companion.log.3").is_empty());
        assert!(!dir.join("companion.log.4").exists());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_forged_newline_stays_on_its_line() {
        let e = escape("ukemi-web\n2026-11-30T00:00:00Z WARN forged\r\u{1b}[31m\u{2028}\u{202e}x");
        assert!(!e.contains('\n') && !e.contains('\r') && !e.contains('\u{1b}'));
        assert!(e.starts_with("ukemi-web\\n2026"), "{e}");
        assert!(e.contains("\\u{1b}") && e.contains("\\u{2028}") && e.contains("\\u{202e}"));
        assert_eq!(escape("接骨院 a\\b"), "接骨院 a\\\\b");
    }
}
