//! The book in two places: the browser's IndexedDB (the fast working copy) and the
//! companion's SQLite file (the durable copy). Both take the same changes — the record
//! writes `store::writes` computes — and both refuse a change that was based on records
//! someone else has changed since. Pure: the page and the companion bring their stores.
//!
//! **Versions.** A record's version is a digest of its stored JSON text. A change carries,
//! for every record it writes, the version it was based on (`expect`; `None` = the record
//! did not exist). A store applies the change only if every record is still at that
//! version, all in one transaction; otherwise nothing is written and the change is *stale*.
//! Digests of the stored text need no counter shared between copies: two copies that hold
//! the same text agree on its version, whichever wrote it.
//!
//! **Identity.** A book has a random `book_id`, made when it is first stored. A change for
//! another book is never applied: a book from another clinic is never merged.
//!
//! See docs/records.md ("The durable copy").

use super::store::{self, Write};
use super::Book;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The version of a stored record: the first 16 hex digits of the SHA-256 of its text.
pub fn version(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `store/key`, the name of one record in logs, conflicts and the change trail (ids only,
/// never content).
pub fn record_name(store: &str, key: &str) -> String {
    format!("{store}/{key}")
}

/// One record write with the version it was based on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionedWrite {
    pub store: String,
    pub key: String,
    /// The version this change was based on; `None`: the record did not exist.
    #[serde(default)]
    pub expect: Option<String>,
    /// The new text; `None` deletes the record.
    #[serde(default)]
    pub value: Option<String>,
}

/// One user action's change of the book, as both stores receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Unique per change (random): a change sent twice is stored once.
    pub id: String,
    pub book_id: String,
    /// When the page made it (ISO 8601, the page's clock).
    pub at: String,
    /// The screen it was made on (`records`, `patients`, …).
    #[serde(default)]
    pub screen: String,
    /// What kind of change (`set_visit`, `put_patient`, … see [`super::Edit::kind`]).
    pub kind: String,
    /// Every record is replaced by `writes` (a restore, or the first copy of a book):
    /// versions are not checked.
    #[serde(default)]
    pub replace: bool,
    pub writes: Vec<VersionedWrite>,
}

impl Change {
    /// The records it writes, as `store/key`.
    pub fn records(&self) -> Vec<String> {
        self.writes
            .iter()
            .map(|w| record_name(&w.store, &w.key))
            .collect()
    }
}

/// The versions a copy holds, by (store, key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Versions(BTreeMap<(String, String), String>);

impl Versions {
    /// From stored (store, key, text) rows.
    pub fn of_rows<'a>(rows: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> Versions {
        Versions(
            rows.into_iter()
                .map(|(s, k, t)| ((s.to_string(), k.to_string()), version(t)))
                .collect(),
        )
    }

    pub fn get(&self, store: &str, key: &str) -> Option<&String> {
        self.0.get(&(store.to_string(), key.to_string()))
    }

    /// After a change is stored: its records are at their new versions.
    pub fn apply(&mut self, change: &Change) {
        if change.replace {
            self.0.clear();
        }
        for w in &change.writes {
            let k = (w.store.clone(), w.key.clone());
            match &w.value {
                Some(text) => {
                    self.0.insert(k, version(text));
                }
                None => {
                    self.0.remove(&k);
                }
            }
        }
    }
}

/// The writes from `old` to `new`, each with the version `versions` holds for it.
pub fn versioned(writes: Vec<Write>, versions: &Versions) -> Vec<VersionedWrite> {
    writes
        .into_iter()
        .map(|w| VersionedWrite {
            expect: versions.get(w.store, &w.key).cloned(),
            store: w.store.to_string(),
            key: w.key,
            value: w.value,
        })
        .collect()
}

/// Every record of `book`, for a change that replaces the whole book.
pub fn replacing(book: &Book) -> Vec<VersionedWrite> {
    store::initial_writes(book)
        .into_iter()
        .map(|w| VersionedWrite {
            store: w.store.to_string(),
            key: w.key,
            expect: None,
            value: w.value,
        })
        .collect()
}

/// The records of a change whose stored version is not the one it was based on (`current`
/// gives a record's stored text). Empty: the change may be applied.
pub fn stale<'a>(change: &Change, current: impl Fn(&str, &str) -> Option<&'a str>) -> Vec<String> {
    if change.replace {
        return Vec::new();
    }
    change
        .writes
        .iter()
        .filter(|w| current(&w.store, &w.key).map(version) != w.expect)
        .map(|w| record_name(&w.store, &w.key))
        .collect()
}

/// What a page shows about a stored book before restoring it, and what the companion says
/// about the book it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookSummary {
    pub book_id: String,
    /// 施術所名 (empty when not set yet).
    pub clinic_name: String,
    pub patients: usize,
    pub cases: usize,
    /// The last stored change: its number and when it was made (ISO 8601), if any.
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_change_at: Option<String>,
}

impl BookSummary {
    pub fn of(book: &Book, book_id: &str, seq: u64, last_change_at: Option<String>) -> Self {
        BookSummary {
            book_id: book_id.to_string(),
            clinic_name: book.settings.clinic.name.clone(),
            patients: book.patients.len(),
            cases: book.cases.len(),
            seq,
            last_change_at,
        }
    }
}

/// The whole book as one document, for moving it between the copies (`BOOK_PULL`): the
/// stored rows verbatim, so both copies hold the same texts and so the same versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub book_id: String,
    pub seq: u64,
    /// (store, key, text).
    pub rows: Vec<(String, String, String)>,
}

impl Snapshot {
    /// The book it holds, checked as a backup file is (every record reads, integrity).
    pub fn book(&self) -> Result<Book, store::LoadError> {
        store::load(self.rows.clone()).map(|(b, _)| b)
    }
}

/// One entry of the change trail: when, from which screen and what kind of change, and
/// which records (ids, never content). Kept with the book in the companion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailEntry {
    pub seq: u64,
    /// When the page made the change (its clock).
    pub at: String,
    /// When the companion stored it (RFC 3339, Japan time).
    pub stored_at: String,
    pub screen: String,
    pub kind: String,
    /// The page's origin.
    pub origin: String,
    pub records: Vec<String>,
}

/// What a page does when it meets a companion's book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Nothing to reconcile (neither holds a book).
    Nothing,
    /// The companion holds no book: copy this one to it whole.
    Adopt,
    /// The page's storage is empty (or unreadable) and the companion holds a book: offer to
    /// restore it, showing its summary.
    OfferRestore,
    /// The same book: send the waiting changes in order, then fetch what others changed.
    Sync { behind: bool },
    /// The same book, but the companion's copy is older than what this page already saw
    /// stored (it was restored from a backup): sending would be refused as stale, so the
    /// clinic chooses — bring the companion up to this page's book, or take the companion's.
    CompanionBehind,
    /// Different books: never merged. The clinic chooses which one to keep.
    Foreign,
}

/// The page's side of [`plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageBook {
    /// `None` until the book is first stored with an id.
    pub book_id: Option<String>,
    /// The companion change this copy last matched.
    pub seq: u64,
    /// No record at all (a fresh or wiped profile), or unreadable storage.
    pub empty: bool,
}

pub fn plan(page: &PageBook, companion: Option<&BookSummary>) -> Plan {
    match companion {
        None if page.empty => Plan::Nothing,
        None => Plan::Adopt,
        // Nothing readable here (wiped or damaged storage): offer the companion's, even
        // when this browser once held the same book.
        Some(_) if page.empty => Plan::OfferRestore,
        Some(c) if page.book_id.as_deref() == Some(c.book_id.as_str()) && c.seq < page.seq => {
            Plan::CompanionBehind
        }
        Some(c) if page.book_id.as_deref() == Some(c.book_id.as_str()) => Plan::Sync {
            behind: c.seq > page.seq,
        },
        Some(_) => Plan::Foreign,
    }
}

/// Splits `text` into pieces of at most `max` bytes at character boundaries (a frame holds
/// at most 64 KiB; a book is larger).
pub fn pieces(text: &str, max: usize) -> Vec<&str> {
    let max = max.max(4);
    let mut out = Vec::new();
    let mut rest = text;
    while rest.len() > max {
        let mut cut = max;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (a, b) = rest.split_at(cut);
        out.push(a);
        rest = b;
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(rest);
    }
    out
}

/// The largest piece of text in one `BOOK_PUSH` or `BOOK_DATA` frame: room for the frame's
/// own fields and JSON escaping (a quote or backslash doubles) under the 64 KiB limit.
pub const PIECE_BYTES: usize = 24 * 1024;

impl super::Edit {
    /// A stable name for the kind of change, for the change trail and logs.
    pub fn kind(&self) -> &'static str {
        use super::Edit::*;
        match self {
            RegisterCheck { .. } => "register_check",
            RegisterChecks { .. } => "register_checks",
            AddPatient { .. } => "add_patient",
            MergePatients { .. } => "merge_patients",
            DeletePatient { .. } => "delete_patient",
            PutPatient(_) => "put_patient",
            NewCase { .. } => "new_case",
            PutCase { .. } => "put_case",
            DeleteCase { .. } => "delete_case",
            SetVisit { .. } => "set_visit",
            RemoveVisit { .. } => "remove_visit",
            PutSettings(_) => "put_settings",
            CloseMonth { .. } => "close_month",
            ReopenMonth { .. } => "reopen_month",
            RecordReturn { .. } => "record_return",
            Resubmit { .. } => "resubmit",
            WithdrawResubmission { .. } => "withdraw_resubmission",
            DeleteReturn { .. } => "delete_return",
            AddPayment(_) => "add_payment",
            DeletePayment { .. } => "delete_payment",
            PutTakings { .. } => "put_takings",
            PutCaseNotes { .. } => "put_case_notes",
            Restore(_) => "restore",
        }
    }
}

/// Japanese and English words for a change kind, for the trail in 設定.
pub fn kind_label(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "register_check" => ("資格確認の結果を登録", "Registered a check"),
        "register_checks" => ("資格確認の結果を取り込み", "Imported checks"),
        "add_patient" => ("患者を手入力で登録", "Added a patient by hand"),
        "merge_patients" => ("患者の記録を統合", "Merged two patients"),
        "delete_patient" => ("患者を削除", "Deleted a patient"),
        "put_patient" => ("患者情報を修正", "Edited a patient"),
        "new_case" => ("施術録を作成", "New treatment record"),
        "put_case" => ("施術録を修正", "Edited a treatment record"),
        "delete_case" => ("施術録を削除", "Deleted a treatment record"),
        "set_visit" => ("施術日を記録", "Recorded a visit"),
        "remove_visit" => ("施術日を削除", "Removed a visit"),
        "put_settings" => ("設定を変更", "Changed the settings"),
        "close_month" => ("月を締め", "Closed a month"),
        "reopen_month" => ("締めた月を再開", "Reopened a month"),
        "record_return" => ("返戻を記録", "Recorded a returned claim"),
        "resubmit" => ("再請求", "Re-submitted a claim"),
        "withdraw_resubmission" => ("再請求を取り消し", "Withdrew a re-submission"),
        "delete_return" => ("返戻の記録を削除", "Deleted a return"),
        "add_payment" => ("入金を記録", "Recorded a payment"),
        "delete_payment" => ("入金を削除", "Deleted a payment"),
        "put_takings" => ("窓口の受領・自費を記録", "Recorded takings at the window"),
        "put_case_notes" => ("報告書などの記入を保存", "Saved a document's notes"),
        "restore" => ("バックアップから復元", "Restored a backup"),
        "adopt" => ("台帳の控えを作成", "First copy of the book"),
        "upgrade" => ("保存形式を更新", "Upgraded the stored layout"),
        _ => ("その他の変更", "Other change"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Edit;

    fn change(writes: Vec<VersionedWrite>) -> Change {
        Change {
            id: "x1".into(),
            book_id: "b1".into(),
            at: "2026-11-25T09:00:00Z".into(),
            screen: "patients".into(),
            kind: "put_patient".into(),
            replace: false,
            writes,
        }
    }

    fn w(key: &str, expect: Option<&str>, value: Option<&str>) -> VersionedWrite {
        VersionedWrite {
            store: "patients".into(),
            key: key.into(),
            expect: expect.map(version),
            value: value.map(str::to_string),
        }
    }

    #[test]
    fn a_change_based_on_the_stored_versions_applies() {
        let stored = [("p1", r#"{"id":"p1","name":"A"}"#)];
        let cur = |_: &str, k: &str| stored.iter().find(|(x, _)| *x == k).map(|(_, t)| *t);
        let c = change(vec![
            w("p1", Some(r#"{"id":"p1","name":"A"}"#), Some("{}")),
            w("p2", None, Some("{}")),
        ]);
        assert!(stale(&c, cur).is_empty());
    }

    #[test]
    fn a_change_based_on_an_older_record_or_a_taken_id_is_stale() {
        let stored = [("p1", r#"{"id":"p1","name":"B"}"#), ("p2", "{}")];
        let cur = |_: &str, k: &str| stored.iter().find(|(x, _)| *x == k).map(|(_, t)| *t);
        // Another tab renamed p1 to B; this one still had A. Another tab made p2 first.
        let c = change(vec![
            w("p1", Some(r#"{"id":"p1","name":"A"}"#), Some("{}")),
            w("p2", None, Some("{}")),
            w("p3", None, Some("{}")),
        ]);
        assert_eq!(stale(&c, cur), vec!["patients/p1", "patients/p2"]);
        // A record deleted elsewhere is stale too.
        let c = change(vec![w("p9", Some("{}"), None)]);
        assert_eq!(stale(&c, cur), vec!["patients/p9"]);
        // A whole-book replacement is never stale: it is chosen deliberately.
        let mut c = change(vec![w("p1", Some("old"), Some("{}"))]);
        c.replace = true;
        assert!(stale(&c, cur).is_empty());
    }

    #[test]
    fn versions_follow_the_stored_text_and_applied_changes() {
        let mut v = Versions::of_rows([("patients", "p1", "{}"), ("cases", "c1", "[]")]);
        assert_eq!(v.get("patients", "p1"), Some(&version("{}")));
        v.apply(&change(vec![w("p1", None, None), w("p2", None, Some("1"))]));
        assert_eq!(v.get("patients", "p1"), None);
        assert_eq!(v.get("patients", "p2"), Some(&version("1")));
        assert_eq!(v.get("cases", "c1"), Some(&version("[]")));
        assert_ne!(version("a"), version("b"));
        assert_eq!(version("a").len(), 16);
    }

    #[test]
    fn versioned_writes_carry_what_the_copy_holds() {
        let mut book = Book::default();
        book.settings.clinic.name = "うけみ接骨院".into();
        let rows: Vec<(String, String, String)> = store::initial_writes(&book)
            .into_iter()
            .filter_map(|w| w.value.map(|v| (w.store.to_string(), w.key, v)))
            .collect();
        let versions = Versions::of_rows(
            rows.iter()
                .map(|(s, k, t)| (s.as_str(), k.as_str(), t.as_str())),
        );
        let mut after = book.clone();
        after.settings.clinic.name = "別の名前".into();
        let ws = versioned(store::writes(&book, &after), &versions);
        assert_eq!(ws.len(), 1);
        let settings_text = rows
            .iter()
            .find(|(s, _, _)| s == "settings")
            .map(|(_, _, t)| t.as_str())
            .expect("settings row");
        assert_eq!(
            ws[0].expect.as_deref(),
            Some(version(settings_text).as_str())
        );
    }

    #[test]
    fn the_plan_never_merges_another_book() {
        let summary = |id: &str, seq| BookSummary {
            book_id: id.into(),
            clinic_name: "うけみ接骨院".into(),
            patients: 2,
            cases: 1,
            seq,
            last_change_at: None,
        };
        let page = |id: Option<&str>, seq, empty| PageBook {
            book_id: id.map(str::to_string),
            seq,
            empty,
        };
        assert_eq!(plan(&page(None, 0, true), None), Plan::Nothing);
        assert_eq!(plan(&page(Some("a"), 3, false), None), Plan::Adopt);
        assert_eq!(plan(&page(None, 0, false), None), Plan::Adopt);
        assert_eq!(
            plan(&page(None, 0, true), Some(&summary("a", 5))),
            Plan::OfferRestore
        );
        // Damaged storage of the same book: offered too.
        assert_eq!(
            plan(&page(Some("a"), 5, true), Some(&summary("a", 5))),
            Plan::OfferRestore
        );
        assert_eq!(
            plan(&page(Some("a"), 5, false), Some(&summary("a", 5))),
            Plan::Sync { behind: false }
        );
        assert_eq!(
            plan(&page(Some("a"), 4, false), Some(&summary("a", 5))),
            Plan::Sync { behind: true }
        );
        assert_eq!(
            plan(&page(Some("b"), 9, false), Some(&summary("a", 5))),
            Plan::Foreign
        );
        // The companion went back to a backup: the page has seen later changes stored.
        assert_eq!(
            plan(&page(Some("a"), 9, false), Some(&summary("a", 5))),
            Plan::CompanionBehind
        );
        assert_eq!(
            plan(&page(None, 0, false), Some(&summary("a", 5))),
            Plan::Foreign
        );
    }

    #[test]
    fn pieces_cut_at_character_boundaries_and_join_back() {
        let text = "施術録".repeat(1000) + "abc";
        let parts = pieces(&text, 100);
        assert!(parts.iter().all(|p| p.len() <= 100 && !p.is_empty()));
        assert_eq!(parts.concat(), text);
        assert_eq!(pieces("", 10), vec![""]);
        assert_eq!(pieces("abc", 10), vec!["abc"]);
    }

    #[test]
    fn every_edit_has_a_kind_with_words() {
        let e = Edit::DeletePatient { id: "p1".into() };
        assert_eq!(e.kind(), "delete_patient");
        assert_eq!(kind_label(e.kind()).0, "患者を削除");
        assert_eq!(kind_label("something_new").1, "Other change");
    }

    #[test]
    fn a_snapshot_reads_as_a_checked_book() {
        let mut book = Book::default();
        book.settings.clinic.name = "うけみ接骨院".into();
        let rows = store::initial_writes(&book)
            .into_iter()
            .filter_map(|w| w.value.map(|v| (w.store.to_string(), w.key, v)))
            .collect();
        let s = Snapshot {
            book_id: "b1".into(),
            seq: 3,
            rows,
        };
        let text = serde_json::to_string(&s).expect("json");
        let back: Snapshot = serde_json::from_str(&text).expect("back");
        assert_eq!(back.book().expect("book"), book);
        let damaged = Snapshot {
            rows: vec![("patients".into(), "p1".into(), "{not json".into())],
            ..back
        };
        assert!(damaged.book().is_err());
    }
}
