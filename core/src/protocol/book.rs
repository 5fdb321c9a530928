//! The book's durable copy in the companion, as the protocol carries it: what the companion
//! holds (`BOOK_INFO`), and its backups. The change itself and the versions are
//! `records::sync`'s; a frame carries a change or a snapshot as text in pieces
//! (`sync::pieces`), because a book is larger than one frame.

use crate::records::sync::BookSummary;
use serde::{Deserialize, Serialize};

/// The answer to `BOOK_INFO` (the message's fields).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BookInfo {
    /// The book the companion holds; `null` when it holds none yet.
    #[serde(default)]
    pub book: Option<BookSummary>,
    /// Why the companion cannot use its book file (Japanese, for the clinic). Nothing is
    /// written while this is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damaged: Option<String>,
    /// Backups, newest first (in the data folder and the second folder).
    #[serde(default)]
    pub backups: Vec<BackupEntry>,
    /// Whether a second folder (a USB drive, a NAS) receives encrypted backups.
    #[serde(default)]
    pub second_folder: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupKind {
    /// One a day, 14 kept.
    Daily,
    /// The first of each month, 12 kept.
    Monthly,
    /// Taken just before the book was replaced (a restore): 10 kept.
    BeforeReplace,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupEntry {
    /// The file's name: what `BACKUP_RESTORE` and `ukemi-companion backup restore` take.
    pub name: String,
    pub kind: BackupKind,
    /// When it was taken (RFC 3339, Japan time).
    pub created_at: String,
    pub bytes: u64,
    /// In the second folder, encrypted with the clinic's passphrase.
    #[serde(default)]
    pub encrypted: bool,
    /// What it holds, when the companion has read it (the latest good one is read when the
    /// book file is damaged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub book: Option<BookSummary>,
}
