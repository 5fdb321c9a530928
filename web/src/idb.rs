//! PLACEHOLDER so the tree compiles while helper-4 writes the real IndexedDB layer: replace
//! this whole file. The API below is the agreed one.
#![allow(dead_code)]

#[derive(Clone)]
pub struct Db;
#[derive(Debug, Clone, PartialEq)]
pub enum DbError {
    Unsupported,
    Blocked,
    Open(String),
    Txn(String),
    Aborted(String),
}
impl DbError {
    pub fn message_ja(&self) -> String {
        format!("{self:?}")
    }
    pub fn message_en(&self) -> String {
        format!("{self:?}")
    }
}
pub enum Op {
    Put {
        store: &'static str,
        key: String,
        value: String,
    },
    Delete {
        store: &'static str,
        key: String,
    },
    Clear {
        store: &'static str,
    },
}
impl Db {
    pub async fn open(_name: &str) -> Result<Db, DbError> {
        Err(DbError::Unsupported)
    }
    pub async fn load_all(&self, _store: &'static str) -> Result<Vec<(String, String)>, DbError> {
        Err(DbError::Unsupported)
    }
    pub async fn apply(&self, _ops: Vec<Op>) -> Result<(), DbError> {
        Err(DbError::Unsupported)
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    Granted,
    Denied,
    Unsupported,
}
pub async fn request_persistence() -> Persistence {
    Persistence::Unsupported
}
