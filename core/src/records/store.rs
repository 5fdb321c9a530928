//! How the book lies in the browser's database: one object store per record kind, each
//! record a JSON string under its id. The page turns an edit into the writes that differ
//! (`writes`) and runs them in one transaction; at start it reads every store back (`load`),
//! upgrading records written by an older Ukemi (`MIGRATIONS`).

use super::{
    Book, CaseRecord, ClaimReturn, MonthRecord, PatientRecord, Payment, Settings, Takings,
    SCHEMA_VERSION,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

pub const PATIENTS: &str = "patients";
pub const CASES: &str = "cases";
pub const SETTINGS: &str = "settings";
pub const MONTHS: &str = "months";
pub const META: &str = "meta";
/// 返戻 and 再請求 (schema 2).
pub const RETURNS: &str = "returns";
/// 入金 (schema 2).
pub const PAYMENTS: &str = "payments";
/// The window's takings per patient and day (schema 2).
pub const TAKINGS: &str = "takings";
/// Every store, in the order `load` wants them.
pub const STORES: [&str; 8] = [
    PATIENTS, CASES, SETTINGS, MONTHS, META, RETURNS, PAYMENTS, TAKINGS,
];

const SETTINGS_KEY: &str = "settings";
const SCHEMA_KEY: &str = "schema";
const NEXT_ID_KEY: &str = "next_id";

/// One put (`value` = Some) or delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub store: &'static str,
    pub key: String,
    pub value: Option<String>,
}

fn put<T: Serialize>(store: &'static str, key: &str, v: &T) -> Write {
    Write {
        store,
        key: key.to_string(),
        // Our own types always serialise; an empty object would only hide a bug, so say so.
        value: Some(serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))),
    }
}

fn delete(store: &'static str, key: &str) -> Write {
    Write {
        store,
        key: key.to_string(),
        value: None,
    }
}

fn diff_by_id<T: PartialEq + Serialize>(
    store: &'static str,
    old: &[T],
    new: &[T],
    id: impl Fn(&T) -> String,
    out: &mut Vec<Write>,
) {
    let before: BTreeMap<String, &T> = old.iter().map(|r| (id(r), r)).collect();
    let after: BTreeMap<String, &T> = new.iter().map(|r| (id(r), r)).collect();
    for (k, r) in &after {
        if before.get(k) != Some(r) {
            out.push(put(store, k, *r));
        }
    }
    for k in before.keys().filter(|k| !after.contains_key(*k)) {
        out.push(delete(store, k));
    }
}

/// The writes that turn the stored `old` into `new`: every changed record, nothing else.
pub fn writes(old: &Book, new: &Book) -> Vec<Write> {
    let mut out = Vec::new();
    diff_by_id(
        PATIENTS,
        &old.patients,
        &new.patients,
        |p| p.id.clone(),
        &mut out,
    );
    diff_by_id(CASES, &old.cases, &new.cases, |c| c.id.clone(), &mut out);
    diff_by_id(
        MONTHS,
        &old.months,
        &new.months,
        |m| m.month.to_string(),
        &mut out,
    );
    diff_by_id(
        RETURNS,
        &old.returns,
        &new.returns,
        |r| r.id.clone(),
        &mut out,
    );
    diff_by_id(
        PAYMENTS,
        &old.payments,
        &new.payments,
        |p| p.id.clone(),
        &mut out,
    );
    diff_by_id(
        TAKINGS,
        &old.takings,
        &new.takings,
        |t| t.id.clone(),
        &mut out,
    );
    if old.settings != new.settings {
        out.push(put(SETTINGS, SETTINGS_KEY, &new.settings));
    }
    if old.next_id != new.next_id {
        out.push(put(META, NEXT_ID_KEY, &new.next_id));
    }
    out
}

/// Everything a fresh database needs: the schema version and every record.
pub fn initial_writes(book: &Book) -> Vec<Write> {
    let mut out = vec![put(META, SCHEMA_KEY, &SCHEMA_VERSION)];
    out.extend(writes(&Book::default(), book));
    if book.next_id == 0 {
        out.push(put(META, NEXT_ID_KEY, &0u64));
    }
    out
}

/// Why the stored data could not be read. The page then writes nothing and offers a restore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// Written by a newer Ukemi: reading it could lose fields it added.
    Newer {
        found: u32,
    },
    /// One record is not what its store holds.
    Record {
        store: String,
        key: String,
        error: String,
    },
    Integrity(String),
}

impl LoadError {
    /// For logs: which record, never the parser's message (it can quote the record's content).
    pub fn log_detail(&self) -> String {
        match self {
            LoadError::Newer { found } => format!("newer schema={found}"),
            LoadError::Record { store, key, .. } => format!("record {store}/{key}"),
            LoadError::Integrity(_) => "integrity".into(),
        }
    }

    pub fn message_ja(&self) -> String {
        match self {
            LoadError::Newer { found } => format!(
                "保存データは新しいバージョンのUkemi（形式{found}）で作られています。この画面では読み込めません。Ukemiを更新してください。"
            ),
            LoadError::Record { store, key, error } => format!(
                "保存データの一部（{store}/{key}）が読めません: {error}。データは変更していません。バックアップから復元できます。"
            ),
            LoadError::Integrity(e) => format!(
                "保存データのつながりが壊れています（{e}）。データは変更していません。バックアップから復元できます。"
            ),
        }
    }
    pub fn message_en(&self) -> String {
        match self {
            LoadError::Newer { found } => {
                format!("The stored data comes from a newer Ukemi (schema {found}). Update Ukemi.")
            }
            LoadError::Record { store, key, error } => format!(
                "A stored record ({store}/{key}) cannot be read: {error}. Nothing was changed; you can restore a backup."
            ),
            LoadError::Integrity(e) => format!(
                "The stored data is inconsistent ({e}). Nothing was changed; you can restore a backup."
            ),
        }
    }
}

/// One step that upgrades records of schema `from` to `from + 1`, in place, as JSON.
pub struct Migration {
    pub from: u32,
    pub apply: fn(&mut Tables) -> Result<(), String>,
}

/// The stored records as JSON values, by store and key.
pub type Tables = BTreeMap<String, BTreeMap<String, Value>>;

/// Upgrade steps, oldest first; a new step goes here together with the bump of
/// `SCHEMA_VERSION`.
pub const MIGRATIONS: &[Migration] = &[Migration {
    from: 1,
    apply: to_2,
}];

/// Schema 2 adds the stores of the clinic's month (返戻・再請求, 入金, the window's takings)
/// and fields with defaults (公費 caps, 再同意, the 自費 price list, case notes). Records of
/// schema 1 read as they are; the step checks that and creates the new stores empty, so a
/// backup of schema 1 restores whole.
fn to_2(tables: &mut Tables) -> Result<(), String> {
    for store in [RETURNS, PAYMENTS, TAKINGS] {
        if tables.get(store).is_some_and(|t| !t.is_empty()) {
            return Err(format!("{store} はまだない形式のはずです"));
        }
        tables.insert(store.to_string(), BTreeMap::new());
    }
    Ok(())
}

/// Runs every step from `from` up to `SCHEMA_VERSION`.
pub fn migrate(
    tables: &mut Tables,
    from: u32,
    steps: &[Migration],
    to: u32,
) -> Result<(), LoadError> {
    if from > to {
        return Err(LoadError::Newer { found: from });
    }
    for v in from..to {
        let step = steps
            .iter()
            .find(|m| m.from == v)
            .ok_or_else(|| LoadError::Integrity(format!("形式{v}からの移行手順がありません")))?;
        (step.apply)(tables)
            .map_err(|e| LoadError::Integrity(format!("形式{v}からの移行: {e}")))?;
    }
    Ok(())
}

fn parse<T: DeserializeOwned>(store: &str, key: &str, v: Value) -> Result<T, LoadError> {
    serde_json::from_value(v).map_err(|e| LoadError::Record {
        store: store.into(),
        key: key.into(),
        error: e.to_string(),
    })
}

/// What was read from the stores: (store, key, JSON text) rows.
/// Returns the book and the writes that store the migrated records (empty when current).
pub fn load(rows: Vec<(String, String, String)>) -> Result<(Book, Vec<Write>), LoadError> {
    let mut tables: Tables = BTreeMap::new();
    for (store, key, text) in rows {
        let v: Value = serde_json::from_str(&text).map_err(|e| LoadError::Record {
            store: store.clone(),
            key: key.clone(),
            error: e.to_string(),
        })?;
        tables.entry(store).or_default().insert(key, v);
    }
    let empty = tables.values().all(|t| t.is_empty());
    let schema: u32 = match tables.get(META).and_then(|m| m.get(SCHEMA_KEY)) {
        Some(v) => parse(META, SCHEMA_KEY, v.clone())?,
        None if empty => SCHEMA_VERSION,
        // Records without a version were written before versions existed: the first layout.
        None => 1,
    };
    migrate(&mut tables, schema, MIGRATIONS, SCHEMA_VERSION)?;
    let book = from_tables(tables)?;
    book.check_integrity().map_err(LoadError::Integrity)?;
    let upgrade = if schema < SCHEMA_VERSION || empty {
        initial_writes(&book)
    } else {
        Vec::new()
    };
    Ok((book, upgrade))
}

fn take_all<T: DeserializeOwned>(tables: &mut Tables, store: &str) -> Result<Vec<T>, LoadError> {
    tables
        .remove(store)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| parse(store, &k, v))
        .collect()
}

/// The book from JSON tables of the current schema (also how a backup's data is read).
pub fn from_tables(mut tables: Tables) -> Result<Book, LoadError> {
    let mut patients: Vec<PatientRecord> = take_all(&mut tables, PATIENTS)?;
    let mut cases: Vec<CaseRecord> = take_all(&mut tables, CASES)?;
    let mut months: Vec<MonthRecord> = take_all(&mut tables, MONTHS)?;
    let mut returns: Vec<ClaimReturn> = take_all(&mut tables, RETURNS)?;
    let mut payments: Vec<Payment> = take_all(&mut tables, PAYMENTS)?;
    let mut takings: Vec<Takings> = take_all(&mut tables, TAKINGS)?;
    let settings: Settings = match tables.get(SETTINGS).and_then(|t| t.get(SETTINGS_KEY)) {
        Some(v) => parse(SETTINGS, SETTINGS_KEY, v.clone())?,
        None => Settings::default(),
    };
    let next_id: u64 = match tables.get(META).and_then(|t| t.get(NEXT_ID_KEY)) {
        Some(v) => parse(META, NEXT_ID_KEY, v.clone())?,
        None => 0,
    };
    // Keys sort as text (p10 before p2): restore the order they were created in.
    let num = |id: &str| {
        id.trim_start_matches(|c: char| !c.is_ascii_digit())
            .parse::<u64>()
            .unwrap_or(0)
    };
    patients.sort_by_key(|p| num(&p.id));
    cases.sort_by_key(|c| num(&c.id));
    months.sort_by_key(|m| m.month);
    returns.sort_by_key(|r| num(&r.id));
    payments.sort_by_key(|p| num(&p.id));
    takings.sort_by(|a, b| (a.date, &a.patient_id).cmp(&(b.date, &b.patient_id)));
    Ok(Book {
        settings,
        patients,
        cases,
        months,
        returns,
        payments,
        takings,
        next_id,
    })
}

/// The book as JSON tables of the current schema (what a backup carries).
pub fn to_tables(book: &Book) -> Tables {
    let mut tables: Tables = BTreeMap::new();
    for w in initial_writes(book) {
        if let Some(text) = w.value {
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                tables
                    .entry(w.store.to_string())
                    .or_default()
                    .insert(w.key, v);
            }
        }
    }
    tables
}
