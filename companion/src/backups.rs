//! Automatic backups of the book file: once a day (by the companion's clock, injected so
//! tests can move it), a consistent copy through SQLite's online backup, gzip-compressed,
//! into `backups/` in the data folder; the first of each month is also kept as the month's.
//! Generations: 14 daily, 12 monthly, 10 taken before a replace. With a second folder set
//! (a USB drive, a NAS), the same files go there **encrypted** with the clinic's passphrase
//! in the age format (scrypt), which the standard `age` tool opens (`age -d FILE`).
//!
//! The folder and passphrase are set on the companion's own page (`/backup`,
//! backup_page.rs) or with `ukemi-companion backup set-folder`, and kept in
//! `backup-folder.json` in the data folder, readable by the user only (files.rs), because
//! the daily backup runs unattended. It protects the copies that leave the PC; on the PC
//! the book file itself lies beside it. It is never logged or sent to a page.

use crate::durable::{self, Durable};
use age::secrecy::SecretString;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use ukemi_core::protocol::book::{BackupEntry, BackupKind};
use ukemi_core::records::sync::BookSummary;
use ukemi_core::Date;
use zeroize::Zeroizing;

pub const KEEP_DAILY: usize = 14;
pub const KEEP_MONTHLY: usize = 12;
pub const KEEP_BEFORE_REPLACE: usize = 10;

/// The folder name in the data folder (and in the second folder).
pub const DIR: &str = "backups";
const SECOND_FILE: &str = "backup-folder.json";
const EXT: &str = ".sqlite.gz";
const AGE: &str = ".age";

/// The second folder and the passphrase its backups are encrypted with.
#[derive(Clone, Serialize, Deserialize)]
pub struct SecondFolder {
    pub folder: PathBuf,
    pub passphrase: Zeroizing<String>,
}

impl std::fmt::Debug for SecondFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SecondFolder({}, passphrase ****)",
            self.folder.display()
        )
    }
}

pub fn load_second(data: &Path) -> Option<SecondFolder> {
    let text = std::fs::read_to_string(data.join(SECOND_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

pub fn save_second(data: &Path, second: Option<&SecondFolder>) -> std::io::Result<()> {
    let path = data.join(SECOND_FILE);
    match second {
        Some(s) => {
            let text = Zeroizing::new(serde_json::to_string(s).map_err(std::io::Error::other)?);
            crate::files::write_private(&path, text.as_bytes())
        }
        None => match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    }
}

/// A moment by the companion's clock: the day (Japan) and the RFC 3339 time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub day: Date,
    /// `2026-11-25T08:30:02+09:00`
    pub at: String,
    /// `20261125-083002`, for file names.
    pub stamp: String,
}

impl Moment {
    pub fn from_unix(secs: i64) -> Moment {
        let at = ukemi_core::protocol::jst_timestamp(secs);
        let local = secs + 9 * 3600;
        let day = Date::from_days(local.div_euclid(86_400));
        let s = local.rem_euclid(86_400);
        let stamp = format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}",
            day.year(),
            day.month(),
            day.day(),
            s / 3600,
            s / 60 % 60,
            s % 60
        );
        Moment { day, at, stamp }
    }
}

/// Where "now" comes from: the system clock, or for tests a file holding the day
/// (`YYYY-MM-DD`), read at every look.
#[derive(Debug, Clone)]
pub enum Clock {
    System,
    File(PathBuf),
}

impl Clock {
    pub fn now(&self) -> Moment {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let real = Moment::from_unix(secs);
        match self {
            Clock::System => real,
            Clock::File(path) => {
                let day = std::fs::read_to_string(path)
                    .ok()
                    .and_then(|t| Date::parse(t.trim()).ok());
                match day {
                    // The test's day at the real time of day.
                    Some(d) => {
                        let tod = (secs + 9 * 3600).rem_euclid(86_400);
                        Moment::from_unix(d.to_days() * 86_400 - 9 * 3600 + tod)
                    }
                    None => real,
                }
            }
        }
    }
}

fn daily_name(day: Date) -> String {
    format!("daily-{day}{EXT}")
}

fn monthly_name(day: Date) -> String {
    format!("monthly-{:04}-{:02}{EXT}", day.year(), day.month())
}

/// What a file name says: its kind and whether it is encrypted.
pub fn classify(name: &str) -> Option<(BackupKind, bool)> {
    let (base, encrypted) = match name.strip_suffix(AGE) {
        Some(b) => (b, true),
        None => (name, false),
    };
    let base = base.strip_suffix(EXT)?;
    let kind = if base.starts_with("daily-") {
        BackupKind::Daily
    } else if base.starts_with("monthly-") {
        BackupKind::Monthly
    } else if base.starts_with("before-replace-") {
        BackupKind::BeforeReplace
    } else {
        return None;
    };
    Some((kind, encrypted))
}

/// The files to delete so that each kind keeps its newest generations. Names sort by date.
pub fn prune(names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (kind, keep) in [
        (BackupKind::Daily, KEEP_DAILY),
        (BackupKind::Monthly, KEEP_MONTHLY),
        (BackupKind::BeforeReplace, KEEP_BEFORE_REPLACE),
    ] {
        let mut of_kind: Vec<&String> = names
            .iter()
            .filter(|n| classify(n).map(|(k, _)| k) == Some(kind))
            .collect();
        of_kind.sort();
        of_kind.reverse();
        out.extend(of_kind.into_iter().skip(keep).cloned());
    }
    out
}

/// Whether today's backup is still to be taken.
pub fn due(names: &[String], today: Date) -> bool {
    !names.iter().any(|n| n == &daily_name(today))
}

fn names_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| classify(n).is_some())
                .collect()
        })
        .unwrap_or_default()
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes)?;
    enc.finish()
}

/// A consistent copy of the book file (SQLite's online backup), gzip-compressed.
fn gz_copy(book: &Durable) -> Result<Vec<u8>, String> {
    let tmp = scratch("backup");
    let r = book
        .backup_to(&tmp)
        .and_then(|()| std::fs::read(&tmp).map_err(|e| e.to_string()))
        .and_then(|bytes| gzip(&bytes).map_err(|e| e.to_string()));
    let _ = std::fs::remove_file(&tmp);
    r
}

fn encrypt(bytes: &[u8], passphrase: &str) -> Result<Vec<u8>, String> {
    let enc = age::Encryptor::with_user_passphrase(SecretString::from(passphrase.to_string()));
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).map_err(|e| e.to_string())?;
    w.write_all(bytes).map_err(|e| e.to_string())?;
    w.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// Why a backup file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Encrypted and no passphrase given, or the wrong one.
    Passphrase,
    Damaged(String),
}

impl ReadError {
    pub fn message(&self) -> String {
        match self {
            ReadError::Passphrase => {
                "合言葉（パスフレーズ）が違うか、入力されていません / wrong or missing passphrase"
                    .into()
            }
            ReadError::Damaged(e) => format!("バックアップが読めません / unreadable backup: {e}"),
        }
    }
}

/// The SQLite file inside a backup (decrypted first when it ends in `.age`).
pub fn read(path: &Path, passphrase: Option<&str>) -> Result<Vec<u8>, ReadError> {
    let raw = std::fs::read(path).map_err(|e| ReadError::Damaged(e.to_string()))?;
    let compressed = if path.to_string_lossy().ends_with(AGE) {
        let pass = passphrase.ok_or(ReadError::Passphrase)?;
        let dec = age::Decryptor::new(&raw[..]).map_err(|e| ReadError::Damaged(e.to_string()))?;
        let identity = age::scrypt::Identity::new(SecretString::from(pass.to_string()));
        let mut r = dec
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                    ReadError::Passphrase
                }
                other => ReadError::Damaged(other.to_string()),
            })?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)
            .map_err(|e| ReadError::Damaged(e.to_string()))?;
        out
    } else {
        raw
    };
    let mut out = Vec::new();
    GzDecoder::new(&compressed[..])
        .read_to_end(&mut out)
        .map_err(|e| ReadError::Damaged(e.to_string()))?;
    Ok(out)
}

/// Reads a backup through and through: decompressed (decrypted), SQLite's check, every
/// record. Its summary when it holds a book.
pub fn verify(path: &Path, passphrase: Option<&str>) -> Result<Option<BookSummary>, ReadError> {
    let bytes = read(path, passphrase)?;
    let tmp = scratch("verify");
    std::fs::write(&tmp, &bytes).map_err(|e| ReadError::Damaged(e.to_string()))?;
    let r = durable::inspect(&tmp).map_err(ReadError::Damaged);
    let _ = std::fs::remove_file(&tmp);
    r
}

fn scratch(what: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    std::env::temp_dir().join(format!(
        "ukemi-{what}-{}-{}.sqlite",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// The backups of one data folder.
pub struct Backups {
    /// `<data>/backups`
    pub dir: PathBuf,
    pub second: Option<SecondFolder>,
}

impl Backups {
    pub fn new(data: &Path) -> Backups {
        Backups {
            dir: data.join(DIR),
            second: load_second(data),
        }
    }

    fn second_dir(&self) -> Option<PathBuf> {
        self.second
            .as_ref()
            .map(|s| s.folder.join("Ukemi").join(DIR))
    }

    /// Every backup, newest first (by the file's time to the nanosecond, so two taken in
    /// the same second keep their order; at equal times a daily before the monthly taken
    /// with it): the data folder's, then the second folder's.
    pub fn list(&self) -> Vec<(PathBuf, BackupEntry)> {
        let mut out = Vec::new();
        for dir in std::iter::once(self.dir.clone()).chain(self.second_dir()) {
            for name in names_in(&dir) {
                let Some((kind, encrypted)) = classify(&name) else {
                    continue;
                };
                let path = dir.join(&name);
                let meta = std::fs::metadata(&path).ok();
                let modified = meta
                    .as_ref()
                    .and_then(|m| m.modified().ok())
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .unwrap_or_default();
                let created_at = Moment::from_unix(modified.as_secs() as i64).at;
                let daily = name.starts_with("daily-");
                out.push((
                    (modified, daily),
                    path,
                    BackupEntry {
                        name,
                        kind,
                        created_at,
                        bytes: meta.map(|m| m.len()).unwrap_or(0),
                        encrypted,
                        book: None,
                    },
                ));
            }
        }
        out.sort_by(|a, b| b.0.cmp(&a.0).then(b.2.name.cmp(&a.2.name)));
        out.into_iter().map(|(_, p, e)| (p, e)).collect()
    }

    /// A backup by its name (as listed).
    pub fn find(&self, name: &str) -> Option<PathBuf> {
        self.list()
            .into_iter()
            .find(|(_, e)| e.name == name)
            .map(|(p, _)| p)
    }

    /// The newest backup of the data folder that reads whole, with what it holds.
    pub fn latest_good(&self) -> Option<(PathBuf, BackupEntry)> {
        self.list()
            .into_iter()
            .filter(|(_, e)| !e.encrypted)
            .find_map(|(p, mut e)| match verify(&p, None) {
                Ok(Some(s)) => {
                    e.book = Some(s);
                    Some((p, e))
                }
                _ => None,
            })
    }

    fn write(&self, dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        crate::dirs::ensure_private(dir)?;
        crate::files::write_private(&dir.join(name), bytes)
    }

    /// Takes today's backup when it is due. Returns the names written.
    pub fn daily(&self, book: &Durable, now: &Moment) -> Result<Vec<String>, String> {
        if !due(&names_in(&self.dir), now.day) {
            return Ok(Vec::new());
        }
        let mut names = vec![daily_name(now.day)];
        if !names_in(&self.dir).contains(&monthly_name(now.day)) {
            names.push(monthly_name(now.day));
        }
        self.take(book, &names)?;
        Ok(names)
    }

    /// A backup just before the book is replaced.
    pub fn before_replace(&self, book: &Durable, now: &Moment) -> Result<String, String> {
        let name = format!("before-replace-{}{EXT}", now.stamp);
        self.take(book, std::slice::from_ref(&name))?;
        Ok(name)
    }

    /// Sets or clears the second folder, as the clinic chose it on the companion's page
    /// (`backup_page.rs`). The folder must exist; a first encrypted copy of the book
    /// (today's daily) is written there at once — or, with no book yet, a probe file — so a
    /// folder that cannot be written is said now, not found out on an unattended night.
    /// Saved only when that worked. Returns the name of the copy written.
    pub fn set_second(
        &mut self,
        data: &Path,
        second: Option<SecondFolder>,
        book: Option<&Durable>,
        now: &Moment,
    ) -> Result<Option<String>, String> {
        let Some(second) = second else {
            save_second(data, None).map_err(|e| e.to_string())?;
            self.second = None;
            return Ok(None);
        };
        if !second.folder.is_dir() {
            return Err(format!("{}: no such folder", second.folder.display()));
        }
        let dir = second.folder.join("Ukemi").join(DIR);
        let written = match book {
            Some(book) => {
                let sealed = encrypt(&gz_copy(book)?, &second.passphrase)?;
                let name = format!("{}{AGE}", daily_name(now.day));
                self.write(&dir, &name, &sealed)
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
                Some(name)
            }
            None => {
                let probe = dir.join(".ukemi-write-test");
                self.write(&dir, ".ukemi-write-test", b"ok")
                    .and_then(|()| std::fs::remove_file(&probe))
                    .map_err(|e| format!("{}: {e}", dir.display()))?;
                None
            }
        };
        save_second(data, Some(&second)).map_err(|e| e.to_string())?;
        self.second = Some(second);
        Ok(written)
    }

    fn take(&self, book: &Durable, names: &[String]) -> Result<(), String> {
        let r = (|| -> Result<(), String> {
            let gz = gz_copy(book)?;
            for name in names {
                self.write(&self.dir, name, &gz)
                    .map_err(|e| format!("{}: {e}", self.dir.display()))?;
            }
            if let (Some(second), Some(dir)) = (&self.second, self.second_dir()) {
                let sealed = encrypt(&gz, &second.passphrase)?;
                for name in names {
                    // A missing USB drive must not stop the backup on the PC.
                    if let Err(e) = self.write(&dir, &format!("{name}{AGE}"), &sealed) {
                        crate::warn!("backup: the second folder is not writable: {e}");
                    }
                }
            }
            Ok(())
        })();
        r?;
        self.prune_all();
        Ok(())
    }

    fn prune_all(&self) {
        for dir in std::iter::once(self.dir.clone()).chain(self.second_dir()) {
            for name in prune(&names_in(&dir)) {
                let _ = std::fs::remove_file(dir.join(name));
            }
        }
    }
}

/// Puts the book inside `backup` in place of the book file at `book`. The file it replaces
/// is renamed beside it (`book.sqlite.replaced-<stamp>`), never deleted. Checks the backup
/// through first: nothing is moved when it does not read.
pub fn restore(
    backup: &Path,
    passphrase: Option<&str>,
    book: &Path,
    now: &Moment,
) -> Result<Option<BookSummary>, String> {
    let bytes = read(backup, passphrase).map_err(|e| e.message())?;
    let tmp = book.with_extension(format!("restoring-{}", now.stamp));
    std::fs::write(&tmp, &bytes).map_err(|e| e.to_string())?;
    let summary = match durable::inspect(&tmp) {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(format!("バックアップが読めません / unreadable backup: {e}"));
        }
    };
    if book.exists() {
        let aside = book.with_file_name(format!("{}.replaced-{}", durable::FILE, now.stamp));
        std::fs::rename(book, &aside).map_err(|e| e.to_string())?;
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{ext}", book.display()));
            if side.exists() {
                let _ = std::fs::rename(&side, format!("{}{ext}", aside.display()));
            }
        }
    }
    std::fs::rename(&tmp, book).map_err(|e| e.to_string())?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::durable::replacing_change;
    use ukemi_core::records::Book;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn generations_keep_the_newest_of_each_kind() {
        let mut all: Vec<String> = (1..=20)
            .map(|d| format!("daily-2026-11-{d:02}{EXT}"))
            .collect();
        all.extend((1..=12).map(|m| format!("monthly-2025-{m:02}{EXT}")));
        all.push(format!("monthly-2026-01{EXT}.age"));
        all.push("notes.txt".into());
        let gone = prune(&all);
        assert_eq!(gone.len(), 6 + 1);
        assert!(gone.contains(&format!("daily-2026-11-06{EXT}")));
        assert!(!gone.contains(&format!("daily-2026-11-07{EXT}")));
        assert!(gone.contains(&format!("monthly-2025-01{EXT}")));
        assert!(!gone.iter().any(|n| n == "notes.txt"));
    }

    #[test]
    fn a_backup_is_due_once_a_day() {
        let day = Date::parse("2026-11-25").expect("date");
        assert!(due(&names(&["daily-2026-11-24.sqlite.gz"]), day));
        assert!(!due(&names(&["daily-2026-11-25.sqlite.gz"]), day));
    }

    #[test]
    fn moments_are_japan_time() {
        // 2026-11-24T23:30:00Z is the 25th in Japan.
        let m = Moment::from_unix(1_795_563_000);
        assert_eq!(m.day.to_string(), "2026-11-25");
        assert_eq!(m.stamp, "20261125-083000");
        assert!(m.at.ends_with("+09:00"));
    }

    #[test]
    fn the_newest_is_listed_first_even_within_one_second() {
        let data = std::env::temp_dir().join(format!("ukemi-order-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let backups = Backups::new(&data);
        std::fs::create_dir_all(&backups.dir).expect("dir");
        let at = |name: &str, t: std::time::SystemTime| {
            let f = std::fs::File::create(backups.dir.join(name)).expect("create");
            f.set_modified(t).expect("mtime");
        };
        let second = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_000_000);
        // The 24th's daily and the month's first monthly were taken together; the 25th's
        // daily 300 ms later, within the same second.
        at(&format!("daily-2026-11-24{EXT}"), second);
        at(&format!("monthly-2026-11{EXT}"), second);
        at(
            &format!("daily-2026-11-25{EXT}"),
            second + std::time::Duration::from_millis(300),
        );
        let names: Vec<String> = backups.list().into_iter().map(|(_, e)| e.name).collect();
        assert_eq!(
            names,
            [
                format!("daily-2026-11-25{EXT}"),
                format!("daily-2026-11-24{EXT}"),
                format!("monthly-2026-11{EXT}"),
            ]
        );
        let _ = std::fs::remove_dir_all(&data);
    }

    #[test]
    fn daily_monthly_encrypted_verified_and_restored() {
        let data = std::env::temp_dir().join(format!("ukemi-backups-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).expect("dir");
        let second = data.join("usb");
        let mut book = Book::default();
        book.settings.clinic.name = "うけみ接骨院".into();
        let path = data.join(durable::FILE);
        let mut d = Durable::open(&path).expect("open");
        d.apply(&replacing_change(&book, "c1", "b1", "t"), "o", "t")
            .expect("apply");
        let mut backups = Backups::new(&data);
        backups.second = Some(SecondFolder {
            folder: second.clone(),
            passphrase: Zeroizing::new("うけみ 合言葉".into()),
        });
        let day = |s: &str| Moment {
            day: Date::parse(s).expect("date"),
            at: format!("{s}T08:30:00+09:00"),
            stamp: s.replace('-', ""),
        };
        let written = backups.daily(&d, &day("2026-11-25")).expect("backup");
        assert_eq!(written.len(), 2, "{written:?}");
        assert!(backups
            .daily(&d, &day("2026-11-25"))
            .expect("again")
            .is_empty());
        assert_eq!(
            backups.daily(&d, &day("2026-11-26")).expect("next").len(),
            1
        );
        let listed = backups.list();
        assert_eq!(listed.len(), 6, "{listed:?}");
        let sealed = listed
            .iter()
            .find(|(_, e)| e.encrypted && e.kind == BackupKind::Daily)
            .map(|(p, _)| p.clone())
            .expect("encrypted");
        assert_eq!(verify(&sealed, None), Err(ReadError::Passphrase));
        assert_eq!(verify(&sealed, Some("違う")), Err(ReadError::Passphrase));
        let s = verify(&sealed, Some("うけみ 合言葉"))
            .expect("verify")
            .expect("book");
        assert_eq!(s.clinic_name, "うけみ接骨院");
        drop(d);
        let now = day("2026-11-27");
        let s = restore(&sealed, Some("うけみ 合言葉"), &path, &now)
            .expect("restore")
            .expect("book");
        assert_eq!(s.book_id, "b1");
        assert!(data.join("book.sqlite.replaced-20261127").exists());
        Durable::open(&path).expect("restored opens");
        // A damaged backup moves nothing.
        let bad = data.join("daily-2026-11-28.sqlite.gz");
        std::fs::write(&bad, b"not gzip").expect("write");
        let before = std::fs::read(&path).expect("read");
        assert!(restore(&bad, None, &path, &day("2026-11-28")).is_err());
        assert_eq!(std::fs::read(&path).expect("read"), before);
        let _ = std::fs::remove_dir_all(&data);
    }
}
