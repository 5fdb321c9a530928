//! The backup file: every stored record, the schema version, and a SHA-256 over the data so a
//! truncated or edited file is refused before anything is replaced.
//!
//! ```json
//! {"format":"ukemi-backup","schema":1,"app_version":"0.1.0","created_at":"2026-11-25T09:00:00Z",
//!  "sha256":"…64 hex…","data":{"patients":{"p1":{…}},"cases":{…},"settings":{…},"months":{…},"meta":{…}}}
//! ```

use super::store::{self, LoadError, Tables, MIGRATIONS};
use super::{Book, SCHEMA_VERSION};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const FORMAT: &str = "ukemi-backup";

/// Why a file cannot be restored. The existing data is untouched in every case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupError {
    /// Not JSON at all (a different file was chosen, or it was cut short).
    NotJson(String),
    /// JSON, but not an Ukemi backup.
    Foreign,
    /// The data does not match its checksum: damaged or edited.
    Corrupt,
    Newer {
        found: u32,
    },
    Unreadable(String),
}

impl BackupError {
    /// A stable name for logs: no part of the file's content (a parser's message can quote it).
    pub fn kind(&self) -> &'static str {
        match self {
            BackupError::NotJson(_) => "not_json",
            BackupError::Foreign => "foreign",
            BackupError::Corrupt => "corrupt",
            BackupError::Newer { .. } => "newer",
            BackupError::Unreadable(_) => "unreadable",
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            BackupError::NotJson(e) => format!(
                "このファイルはUkemiのバックアップとして読めません（{e}）。現在のデータはそのままです。"
            ),
            BackupError::Foreign => {
                "このファイルはUkemiのバックアップではありません。現在のデータはそのままです。"
                    .into()
            }
            BackupError::Corrupt => "バックアップファイルが壊れているか、書き換えられています（検査値が一致しません）。現在のデータはそのままです。".into(),
            BackupError::Newer { found } => format!(
                "このバックアップは新しいバージョンのUkemi（形式{found}）で作られています。Ukemiを更新してから復元してください。現在のデータはそのままです。"
            ),
            BackupError::Unreadable(e) => format!(
                "バックアップの中身を読めません（{e}）。現在のデータはそのままです。"
            ),
        }
    }
    pub fn message_en(&self) -> String {
        match self {
            BackupError::NotJson(e) => {
                format!("This file cannot be read as an Ukemi backup ({e}). Nothing was changed.")
            }
            BackupError::Foreign => "This file is not an Ukemi backup. Nothing was changed.".into(),
            BackupError::Corrupt => {
                "The backup is damaged or was edited (checksum mismatch). Nothing was changed."
                    .into()
            }
            BackupError::Newer { found } => format!(
                "The backup comes from a newer Ukemi (schema {found}). Update first. Nothing was changed."
            ),
            BackupError::Unreadable(e) => {
                format!("The backup's contents cannot be read ({e}). Nothing was changed.")
            }
        }
    }
}

fn digest(data: &Value) -> String {
    let text = data.to_string();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The backup file's text. `created_at` is the caller's clock (core reads none).
pub fn export(book: &Book, created_at: &str) -> String {
    let tables = store::to_tables(book);
    let data = serde_json::to_value(&tables).unwrap_or(Value::Null);
    let doc = json!({
        "format": FORMAT,
        "schema": SCHEMA_VERSION,
        "app_version": env!("CARGO_PKG_VERSION"),
        "created_at": created_at,
        "sha256": digest(&data),
        "data": data,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Reads a backup file into a book, checking everything before the caller replaces anything.
pub fn import(text: &str) -> Result<Book, BackupError> {
    let text = text.trim_start_matches('\u{feff}');
    let doc: Value = serde_json::from_str(text).map_err(|e| BackupError::NotJson(e.to_string()))?;
    if doc.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(BackupError::Foreign);
    }
    let schema = doc
        .get("schema")
        .and_then(Value::as_u64)
        .and_then(|s| u32::try_from(s).ok())
        .ok_or(BackupError::Foreign)?;
    if schema > SCHEMA_VERSION {
        return Err(BackupError::Newer { found: schema });
    }
    let data = doc.get("data").ok_or(BackupError::Corrupt)?;
    if doc.get("sha256").and_then(Value::as_str) != Some(digest(data).as_str()) {
        return Err(BackupError::Corrupt);
    }
    let mut tables: Tables =
        serde_json::from_value(data.clone()).map_err(|e| BackupError::Unreadable(e.to_string()))?;
    store::migrate(&mut tables, schema, MIGRATIONS, SCHEMA_VERSION).map_err(load_error)?;
    let book = store::from_tables(tables).map_err(load_error)?;
    book.check_integrity().map_err(BackupError::Unreadable)?;
    Ok(book)
}

fn load_error(e: LoadError) -> BackupError {
    match e {
        LoadError::Newer { found } => BackupError::Newer { found },
        other => BackupError::Unreadable(other.message_ja()),
    }
}
