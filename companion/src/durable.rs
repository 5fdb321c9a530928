//! The book's durable copy: one SQLite file (`book.sqlite` in the data folder), WAL journal
//! with `synchronous=FULL`, so a change the companion acknowledged survives a killed process
//! or a power cut. It stores the page's record texts verbatim (one row per record, the same
//! stores and keys as IndexedDB) and never re-serialises them, so both copies hold the same
//! texts and agree on versions (`records::sync`). Every change is applied in one
//! transaction with its entry in the change trail, or not at all.
//!
//! A file that does not read is never written: `open` checks it first and reports it as
//! damaged; the caller offers the latest good backup instead.

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use ukemi_core::records::sync::{self, BookSummary, Change, Snapshot, TrailEntry};

/// The book file's name in the data folder.
pub const FILE: &str = "book.sqlite";

/// Bumped when the tables change.
const LAYOUT: u32 = 1;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS records(
  store TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY(store, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes(
  seq INTEGER PRIMARY KEY, change_id TEXT NOT NULL UNIQUE, at TEXT NOT NULL,
  stored_at TEXT NOT NULL, screen TEXT NOT NULL, kind TEXT NOT NULL, origin TEXT NOT NULL,
  records TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS book(key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

pub struct Durable {
    conn: Connection,
    path: PathBuf,
}

/// What became of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Stored {
        seq: u64,
        stored_at: String,
    },
    /// Sent before and stored then (the page did not see the answer).
    Again {
        seq: u64,
        stored_at: String,
    },
    /// Based on records that changed since: nothing stored.
    Stale(Vec<String>),
    /// For another book than this one: nothing stored.
    Mismatch,
}

fn sql(e: rusqlite::Error) -> String {
    e.to_string()
}

/// `quick_check` and the records themselves: a file that fails either is damaged.
fn check(conn: &Connection) -> Result<(), String> {
    let verdict: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(sql)?;
    if verdict != "ok" {
        return Err(verdict);
    }
    Ok(())
}

impl Durable {
    /// Opens (or creates) the book file. `Err` names why it cannot be used; the file is then
    /// left exactly as it was.
    pub fn open(path: &Path) -> Result<Durable, String> {
        let existed = path.exists();
        if existed {
            // Read-only first: a damaged file must not be touched, not even by a journal
            // mode switch.
            let ro = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(sql)?;
            check(&ro)?;
            let has_tables: bool = ro
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name IN ('records','changes','book')",
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n == 3)
                .map_err(sql)?;
            if !has_tables {
                return Err("Ukemi の台帳ファイルではありません".into());
            }
            drop(ro);
        }
        let conn = Connection::open(path).map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sql)?;
        conn.execute_batch(TABLES).map_err(sql)?;
        conn.execute(
            "INSERT OR IGNORE INTO book(key, value) VALUES ('layout', ?1)",
            params![LAYOUT.to_string()],
        )
        .map_err(sql)?;
        let d = Durable {
            conn,
            path: path.to_path_buf(),
        };
        // The records must read as a book, too (a file edited by hand, a bug).
        d.snapshot()?.book().map_err(|e| e.message_ja())?;
        Ok(d)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn meta(&self, key: &str) -> Result<Option<String>, String> {
        self.conn
            .query_row("SELECT value FROM book WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql)
    }

    pub fn book_id(&self) -> Result<Option<String>, String> {
        self.meta("book_id")
    }

    /// The last stored change's number (0 when none).
    pub fn seq(&self) -> Result<u64, String> {
        self.conn
            .query_row("SELECT coalesce(max(seq), 0) FROM changes", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(sql)
    }

    /// What the companion holds, or `None` when it holds no book yet.
    pub fn summary(&self) -> Result<Option<BookSummary>, String> {
        let Some(book_id) = self.book_id()? else {
            return Ok(None);
        };
        let snap = self.snapshot()?;
        let book = snap.book().map_err(|e| e.message_ja())?;
        let last: Option<String> = self
            .conn
            .query_row(
                "SELECT at FROM changes ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql)?;
        Ok(Some(BookSummary::of(&book, &book_id, snap.seq, last)))
    }

    /// Every record, verbatim.
    pub fn snapshot(&self) -> Result<Snapshot, String> {
        let mut stmt = self
            .conn
            .prepare("SELECT store, key, value FROM records ORDER BY store, key")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(sql)?
            .collect::<Result<Vec<(String, String, String)>, _>>()
            .map_err(sql)?;
        Ok(Snapshot {
            book_id: self.book_id()?.unwrap_or_default(),
            seq: self.seq()?,
            rows,
        })
    }

    /// Applies `change` in one transaction with its trail entry, if it is for this book and
    /// based on the stored versions. `stored_at` is the companion's clock.
    pub fn apply(
        &mut self,
        change: &Change,
        origin: &str,
        stored_at: &str,
    ) -> Result<Outcome, String> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let before: Option<(i64, String)> = tx
            .query_row(
                "SELECT seq, stored_at FROM changes WHERE change_id = ?1",
                params![change.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql)?;
        if let Some((seq, stored_at)) = before {
            return Ok(Outcome::Again {
                seq: seq as u64,
                stored_at,
            });
        }
        let book_id: Option<String> = tx
            .query_row("SELECT value FROM book WHERE key = 'book_id'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql)?;
        if !change.replace && book_id.as_deref() != Some(change.book_id.as_str()) {
            return Ok(Outcome::Mismatch);
        }
        if change.book_id.is_empty() {
            return Ok(Outcome::Mismatch);
        }
        {
            let mut get = tx
                .prepare("SELECT value FROM records WHERE store = ?1 AND key = ?2")
                .map_err(sql)?;
            let mut current = Vec::new();
            for w in &change.writes {
                let text: Option<String> = get
                    .query_row(params![w.store, w.key], |r| r.get(0))
                    .optional()
                    .map_err(sql)?;
                current.push(((w.store.clone(), w.key.clone()), text));
            }
            let stale = sync::stale(change, |s, k| {
                current
                    .iter()
                    .find(|((cs, ck), _)| cs == s && ck == k)
                    .and_then(|(_, t)| t.as_deref())
            });
            if !stale.is_empty() {
                return Ok(Outcome::Stale(stale));
            }
        }
        if change.replace {
            tx.execute("DELETE FROM records", []).map_err(sql)?;
            tx.execute(
                "INSERT INTO book(key, value) VALUES ('book_id', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![change.book_id],
            )
            .map_err(sql)?;
        }
        {
            let mut put = tx
                .prepare(
                    "INSERT INTO records(store, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT(store, key) DO UPDATE SET value = excluded.value",
                )
                .map_err(sql)?;
            let mut del = tx
                .prepare("DELETE FROM records WHERE store = ?1 AND key = ?2")
                .map_err(sql)?;
            for w in &change.writes {
                match &w.value {
                    Some(v) => put.execute(params![w.store, w.key, v]).map_err(sql)?,
                    None => del.execute(params![w.store, w.key]).map_err(sql)?,
                };
            }
        }
        let records = if change.replace {
            vec![format!("*{}", change.writes.len())]
        } else {
            change.records()
        };
        tx.execute(
            "INSERT INTO changes(change_id, at, stored_at, screen, kind, origin, records)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                change.id,
                change.at,
                stored_at,
                change.screen,
                change.kind,
                origin,
                serde_json::to_string(&records).unwrap_or_default()
            ],
        )
        .map_err(sql)?;
        let seq = tx.last_insert_rowid() as u64;
        tx.commit().map_err(sql)?;
        Ok(Outcome::Stored {
            seq,
            stored_at: stored_at.to_string(),
        })
    }

    /// The change trail, newest first.
    pub fn trail(&self, before: Option<u64>, limit: u32) -> Result<Vec<TrailEntry>, String> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, at, stored_at, screen, kind, origin, records FROM changes
                 WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2",
            )
            .map_err(sql)?;
        let before = before.map_or(i64::MAX, |b| b as i64);
        let rows = stmt
            .query_map(params![before, limit.min(1000)], |r| {
                let records: String = r.get(6)?;
                Ok(TrailEntry {
                    seq: r.get::<_, i64>(0)? as u64,
                    at: r.get(1)?,
                    stored_at: r.get(2)?,
                    screen: r.get(3)?,
                    kind: r.get(4)?,
                    origin: r.get(5)?,
                    records: serde_json::from_str(&records).unwrap_or_default(),
                })
            })
            .map_err(sql)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql)?;
        Ok(rows)
    }

    /// A consistent copy of the whole file at `dest` (SQLite's online backup: pages are
    /// copied while the book stays usable).
    pub fn backup_to(&self, dest: &Path) -> Result<(), String> {
        let _ = std::fs::remove_file(dest);
        let mut out = Connection::open(dest).map_err(sql)?;
        {
            let b = rusqlite::backup::Backup::new(&self.conn, &mut out).map_err(sql)?;
            b.run_to_completion(256, std::time::Duration::from_millis(0), None)
                .map_err(sql)?;
        }
        // A single file, no WAL beside it: what is compressed is everything.
        out.pragma_update(None, "journal_mode", "DELETE")
            .map_err(sql)?;
        Ok(())
    }
}

/// Reads a book file without changing it: its summary, after the same checks `open` makes.
pub fn inspect(path: &Path) -> Result<Option<BookSummary>, String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
    check(&conn)?;
    let d = Durable {
        conn,
        path: path.to_path_buf(),
    };
    d.snapshot()?.book().map_err(|e| e.message_ja())?;
    d.summary()
}

/// The rows of a book file as the backup file the page reads (`records::backup`).
pub fn export(path: &Path, created_at: &str) -> Result<String, String> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql)?;
    check(&conn)?;
    let d = Durable {
        conn,
        path: path.to_path_buf(),
    };
    let book = d.snapshot()?.book().map_err(|e| e.message_ja())?;
    Ok(ukemi_core::records::backup::export(&book, created_at))
}

/// For tests and tools: the writes of a whole book as one replacing change.
pub fn replacing_change(
    book: &ukemi_core::records::Book,
    id: &str,
    book_id: &str,
    at: &str,
) -> Change {
    Change {
        id: id.into(),
        book_id: book_id.into(),
        at: at.into(),
        screen: String::new(),
        kind: "adopt".into(),
        replace: true,
        writes: sync::replacing(book),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ukemi_core::records::sync::{version, VersionedWrite};
    use ukemi_core::records::Book;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ukemi-durable-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        dir.join(FILE)
    }

    fn sample() -> Book {
        let mut b = Book::default();
        b.settings.clinic.name = "うけみ接骨院".into();
        b
    }

    fn named(name: &str) -> String {
        let mut b = sample();
        b.settings.clinic.name = name.into();
        serde_json::to_string(&b.settings).expect("json")
    }

    fn put(key: &str, expect: Option<&str>, value: &str) -> VersionedWrite {
        VersionedWrite {
            store: "settings".into(),
            key: key.into(),
            expect: expect.map(version),
            value: Some(value.into()),
        }
    }

    #[test]
    fn a_change_is_stored_once_and_a_stale_or_foreign_one_not_at_all() {
        let path = temp("apply");
        let mut d = Durable::open(&path).expect("open");
        assert_eq!(d.summary().expect("summary"), None);
        let first = replacing_change(&sample(), "c1", "book-a", "2026-11-25T09:00:00Z");
        let settings_text = first
            .writes
            .iter()
            .find(|w| w.store == "settings")
            .and_then(|w| w.value.clone())
            .expect("settings");
        assert!(matches!(
            d.apply(&first, "o", "t1").expect("apply"),
            Outcome::Stored { seq: 1, .. }
        ));
        let s = d.summary().expect("summary").expect("a book");
        assert_eq!((s.clinic_name.as_str(), s.seq), ("うけみ接骨院", 1));
        // Sent again after a lost answer: stored once.
        assert!(matches!(
            d.apply(&first, "o", "t2").expect("again"),
            Outcome::Again { seq: 1, .. }
        ));
        let mut next = Change {
            id: "c2".into(),
            book_id: "book-a".into(),
            at: "2026-11-25T09:01:00Z".into(),
            screen: "settings".into(),
            kind: "put_settings".into(),
            replace: false,
            writes: vec![put("settings", Some(&settings_text), &named("B"))],
        };
        assert!(matches!(
            d.apply(&next, "o", "t3").expect("apply"),
            Outcome::Stored { seq: 2, .. }
        ));
        // A second tab still based on the first text: refused, nothing written.
        next.id = "c3".into();
        next.writes = vec![put("settings", Some(&settings_text), &named("C"))];
        assert_eq!(
            d.apply(&next, "o", "t4").expect("apply"),
            Outcome::Stale(vec!["settings/settings".into()])
        );
        // Another book's change: refused.
        next.id = "c4".into();
        next.book_id = "book-b".into();
        assert_eq!(d.apply(&next, "o", "t5").expect("apply"), Outcome::Mismatch);
        assert_eq!(d.seq().expect("seq"), 2);
        let s = d.summary().expect("summary").expect("a book");
        assert_eq!(s.clinic_name, "B");
        let trail = d.trail(None, 10).expect("trail");
        assert_eq!(trail.len(), 2);
        assert_eq!(trail[0].kind, "put_settings");
        assert_eq!(trail[0].records, vec!["settings/settings"]);
        assert_eq!(trail[1].records, vec![format!("*{}", first.writes.len())]);
    }

    #[test]
    fn a_truncated_file_is_reported_and_left_as_it_was() {
        let path = temp("truncated");
        {
            let mut d = Durable::open(&path).expect("open");
            let mut book = sample();
            book.settings.clinic.address = "東京都".repeat(5000);
            d.apply(&replacing_change(&book, "c1", "book-a", "t"), "o", "t")
                .expect("apply");
        }
        // Closing the last connection checkpoints the WAL into the file.
        let len = std::fs::metadata(&path).expect("meta").len();
        assert!(len > 8192, "{len}");
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open");
        f.set_len(len / 2).expect("truncate");
        drop(f);
        let before = std::fs::read(&path).expect("read");
        let err = match Durable::open(&path) {
            Ok(_) => panic!("a truncated file opened"),
            Err(e) => e,
        };
        assert!(!err.is_empty());
        assert_eq!(
            std::fs::read(&path).expect("read"),
            before,
            "the file was changed"
        );
        assert!(inspect(&path).is_err());
    }

    #[test]
    fn an_online_backup_is_a_whole_book_file() {
        let path = temp("backup");
        let mut d = Durable::open(&path).expect("open");
        d.apply(&replacing_change(&sample(), "c1", "book-a", "t"), "o", "t")
            .expect("apply");
        let copy = path.with_file_name("copy.sqlite");
        d.backup_to(&copy).expect("backup");
        let s = inspect(&copy).expect("inspect").expect("book");
        assert_eq!((s.book_id.as_str(), s.seq), ("book-a", 1));
        let text = export(&copy, "2026-11-25T09:00:00Z").expect("export");
        assert_eq!(
            ukemi_core::records::backup::import(&text).expect("import"),
            sample()
        );
    }
}
