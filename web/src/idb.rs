//! A thin IndexedDB layer: open at a schema version (creating the stores that version adds),
//! read a whole store, and apply a list of puts/deletes/clears in one readwrite transaction.
//! Requests and transactions are turned into promises so callers can `await` them; values
//! are JSON strings under string keys, so the data's shape stays core's business.

use js_sys::{Array, Promise};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbFactory, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode,
};

/// One IndexedDB database, opened at [`VERSION`]. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    db: Rc<IdbDatabase>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DbError {
    /// No IndexedDB here (some private windows, very old browsers).
    Unsupported,
    /// Another tab keeps an older version open.
    Blocked,
    Open(String),
    Txn(String),
    Aborted(String),
}

impl DbError {
    pub fn message_ja(&self) -> String {
        match self {
            DbError::Unsupported => "このブラウザはデータの保存（IndexedDB）に対応していないか、保存が禁止されています".into(),
            DbError::Blocked => "別のタブで古い版のUkemiが開いています。ほかのUkemiのタブを閉じてから再読み込みしてください".into(),
            DbError::Open(e) => format!("保存領域を開けません（{e}）"),
            DbError::Txn(e) => format!("保存できません（{e}）。別のタブで新しいUkemiが開かれた場合は、この画面を再読み込みしてください"),
            DbError::Aborted(e) => format!("保存が中断されました。ディスクの空き容量を確認してください（{e}）"),
        }
    }
    pub fn message_en(&self) -> String {
        match self {
            DbError::Unsupported => "This browser has no IndexedDB, or storage is disabled".into(),
            DbError::Blocked => "An older Ukemi is open in another tab: close it and reload".into(),
            DbError::Open(e) => format!("Cannot open storage ({e})"),
            DbError::Txn(e) => format!("Cannot save ({e})"),
            DbError::Aborted(e) => format!("Saving was aborted; check free disk space ({e})"),
        }
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

impl Op {
    fn store(&self) -> &'static str {
        match self {
            Op::Put { store, .. } | Op::Delete { store, .. } | Op::Clear { store } => store,
        }
    }
}

/// The object stores, and the schema version that created each. A new store = a new entry
/// with a higher version (and `VERSION` raised to it).
pub const STORES: &[(u32, &str)] = &[
    (1, "patients"),
    (1, "cases"),
    (1, "settings"),
    (1, "months"),
    (1, "meta"),
    (2, "returns"),
    (2, "payments"),
    (2, "takings"),
    (3, OUTBOX),
    (3, SYNC),
];
pub const VERSION: u32 = 3;

/// Changes waiting to reach the companion's durable copy, in the order they were stored
/// (keys from IndexedDB's own counter, so tabs sharing the database agree on the order).
pub const OUTBOX: &str = "outbox";
/// Which book this is and how far the companion's copy has been matched (`state`).
pub const SYNC: &str = "sync";

/// The DOMException's name and message, or whatever JavaScript threw.
fn describe(e: &JsValue) -> String {
    if let Some(d) = e.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", d.name(), d.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

fn factory() -> Result<IdbFactory, DbError> {
    web_sys::window()
        .ok_or(DbError::Unsupported)?
        .indexed_db()
        .map_err(|_| DbError::Unsupported)?
        .ok_or(DbError::Unsupported)
}

/// Resolves with the request's result on `success`, rejects on `error`.
fn request_promise(req: &IdbRequest) -> Promise {
    let req = req.clone();
    Promise::new(&mut |resolve, reject| {
        let ok_req = req.clone();
        let ok = Closure::once_into_js(move || {
            let _ = resolve.call1(
                &JsValue::NULL,
                &ok_req.result().unwrap_or(JsValue::UNDEFINED),
            );
        });
        let err_req = req.clone();
        let err = Closure::once_into_js(move || {
            let e = err_req
                .error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or_else(|| JsValue::from_str("request failed"));
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(err.unchecked_ref()));
    })
}

/// Resolves when the transaction commits; rejects on `abort` or `error`.
fn transaction_promise(tx: &IdbTransaction) -> Promise {
    let tx = tx.clone();
    Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let fail_tx = tx.clone();
        let reject2 = reject.clone();
        let fail = Closure::once_into_js(move || {
            let e = fail_tx
                .error()
                .map(JsValue::from)
                .unwrap_or_else(|| JsValue::from_str("aborted"));
            let _ = reject2.call1(&JsValue::NULL, &e);
        });
        tx.set_oncomplete(Some(done.unchecked_ref()));
        tx.set_onabort(Some(fail.unchecked_ref()));
        let fail_tx = tx.clone();
        let on_error = Closure::once_into_js(move || {
            let e = fail_tx
                .error()
                .map(JsValue::from)
                .unwrap_or_else(|| JsValue::from_str("error"));
            let _ = reject.call1(&JsValue::NULL, &e);
        });
        tx.set_onerror(Some(on_error.unchecked_ref()));
    })
}

/// Waits for an open or delete request: its result, or `Blocked` as soon as another
/// connection (usually another tab) holds the database at an older version. A blocked
/// request stays queued in the browser and may finish later; its handlers are not dropped
/// for that reason, and the error is what the user must act on now.
async fn settle(req: &IdbOpenDbRequest) -> Result<JsValue, DbError> {
    let blocked = Promise::new(&mut |_, reject| {
        let on_blocked = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(BLOCKED));
        });
        req.set_onblocked(Some(on_blocked.unchecked_ref()));
    });
    let either = Promise::race(&Array::of2(&request_promise(req), &blocked));
    match JsFuture::from(either).await {
        Ok(v) => Ok(v),
        Err(e) if e.as_string().as_deref() == Some(BLOCKED) => Err(DbError::Blocked),
        Err(e) => Err(DbError::Open(describe(&e))),
    }
}
const BLOCKED: &str = "ukemi:idb-blocked";

impl Db {
    pub async fn open(name: &str) -> Result<Db, DbError> {
        let req: IdbOpenDbRequest = factory()?
            .open_with_u32(name, VERSION)
            .map_err(|e| DbError::Open(describe(&e)))?;
        // once_into_js: the upgrade may run after a `Blocked` return, and must still create
        // the stores then, or the database would sit at VERSION without them.
        let upgrade = Closure::once_into_js(move |ev: web_sys::IdbVersionChangeEvent| {
            let Some(req) = ev
                .target()
                .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
            else {
                return;
            };
            let Some(db) = req
                .result()
                .ok()
                .and_then(|r| r.dyn_into::<IdbDatabase>().ok())
            else {
                return;
            };
            let old = ev.old_version() as u32;
            for (since, store) in STORES {
                let missing = *since > old && !db.object_store_names().contains(store);
                let created = if *store == OUTBOX {
                    let params = web_sys::IdbObjectStoreParameters::new();
                    params.set_auto_increment(true);
                    db.create_object_store_with_optional_parameters(store, &params)
                } else {
                    db.create_object_store(store)
                };
                if missing && created.is_err() {
                    // Opening without a store would fail later and less clearly: abort the
                    // upgrade so the open request itself reports the error.
                    if let Some(tx) = req.transaction() {
                        let _ = tx.abort();
                    }
                    return;
                }
            }
        });
        req.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
        let db: IdbDatabase = settle(&req)
            .await?
            .dyn_into()
            .map_err(|_| DbError::Open("not a database".into()))?;
        // A newer Ukemi opened in another tab wants to upgrade: step aside rather than block
        // it. This tab's next save then fails with a message asking to reload.
        let closing = db.clone();
        let on_change = Closure::<dyn FnMut()>::new(move || closing.close());
        db.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
        on_change.forget();
        Ok(Db { db: Rc::new(db) })
    }

    /// Every (key, value) of `store`, read in one readonly transaction.
    pub async fn load_all(&self, store: &'static str) -> Result<Vec<(String, String)>, DbError> {
        let tx = self
            .db
            .transaction_with_str(store)
            .map_err(|e| DbError::Txn(describe(&e)))?;
        let os = tx
            .object_store(store)
            .map_err(|e| DbError::Txn(describe(&e)))?;
        let keys_req = os.get_all_keys().map_err(|e| DbError::Txn(describe(&e)))?;
        let values_req = os.get_all().map_err(|e| DbError::Txn(describe(&e)))?;
        let keys = JsFuture::from(request_promise(&keys_req))
            .await
            .map_err(|e| DbError::Txn(describe(&e)))?;
        let values = JsFuture::from(request_promise(&values_req))
            .await
            .map_err(|e| DbError::Txn(describe(&e)))?;
        let (keys, values) = (Array::from(&keys), Array::from(&values));
        // getAll and getAllKeys both return key order, so the two lists pair up.
        Ok(keys
            .iter()
            .zip(values.iter())
            .map(|(k, v)| {
                (
                    k.as_string().unwrap_or_default(),
                    v.as_string().unwrap_or_default(),
                )
            })
            .collect())
    }

    /// One readwrite transaction over `names` (each once).
    fn readwrite(&self, names: Vec<&'static str>) -> Result<IdbTransaction, DbError> {
        self.transaction(names, IdbTransactionMode::Readwrite)
    }

    /// One transaction over `names` (each once).
    fn transaction(
        &self,
        mut names: Vec<&'static str>,
        mode: IdbTransactionMode,
    ) -> Result<IdbTransaction, DbError> {
        names.sort_unstable();
        names.dedup();
        let scope = Array::new();
        for n in &names {
            scope.push(&JsValue::from_str(n));
        }
        self.db
            .transaction_with_str_sequence_and_mode(&scope, mode)
            .map_err(|e| DbError::Txn(describe(&e)))
    }

    /// Runs every op in one readwrite transaction over the stores they touch: all or nothing.
    pub async fn apply(&self, ops: Vec<Op>) -> Result<(), DbError> {
        if ops.is_empty() {
            return Ok(());
        }
        let names: Vec<&'static str> = ops.iter().map(Op::store).collect();
        let tx = self.readwrite(names)?;
        let done = transaction_promise(&tx);
        if let Err(e) = write_ops(&tx, &ops) {
            // Nothing of this change is kept: the transaction is rolled back whole.
            let _ = tx.abort();
            return Err(DbError::Txn(e));
        }
        JsFuture::from(done)
            .await
            .map(|_| ())
            .map_err(|e| DbError::Aborted(describe(&e)))
    }
}

impl Db {
    /// The outbox's entries (counter key, change text), oldest first.
    /// Every record of `stores` and the outbox, read in ONE transaction: a consistent
    /// picture (a change and its outbox entry are written together, so an entry is in the
    /// outbox here exactly when its records are in the rows).
    #[allow(clippy::type_complexity)]
    pub async fn snapshot(
        &self,
        stores: &[&'static str],
    ) -> Result<(Vec<(String, String, String)>, Vec<(f64, String)>), DbError> {
        let names = stores.iter().copied().chain([OUTBOX]).collect();
        let tx = self.transaction(names, IdbTransactionMode::Readonly)?;
        // Every request is made before the first await, so the transaction stays open until
        // the last one is answered.
        let mut reqs = Vec::new();
        for n in stores.iter().chain(std::iter::once(&OUTBOX)) {
            let os = tx.object_store(n).map_err(|e| DbError::Txn(describe(&e)))?;
            let keys = os.get_all_keys().map_err(|e| DbError::Txn(describe(&e)))?;
            let values = os.get_all().map_err(|e| DbError::Txn(describe(&e)))?;
            reqs.push((*n, keys, values));
        }
        let (mut rows, mut outbox) = (Vec::new(), Vec::new());
        for (n, keys, values) in reqs {
            let keys = JsFuture::from(request_promise(&keys))
                .await
                .map_err(|e| DbError::Txn(describe(&e)))?;
            let values = JsFuture::from(request_promise(&values))
                .await
                .map_err(|e| DbError::Txn(describe(&e)))?;
            // getAll and getAllKeys both return key order, so the two lists pair up.
            for (k, v) in Array::from(&keys).iter().zip(Array::from(&values).iter()) {
                let v = v.as_string().unwrap_or_default();
                if n == OUTBOX {
                    outbox.push((k.as_f64().unwrap_or(0.0), v));
                } else {
                    rows.push((n.to_string(), k.as_string().unwrap_or_default(), v));
                }
            }
        }
        Ok((rows, outbox))
    }

    pub async fn load_outbox(&self) -> Result<Vec<(f64, String)>, DbError> {
        let tx = self
            .db
            .transaction_with_str(OUTBOX)
            .map_err(|e| DbError::Txn(describe(&e)))?;
        let os = tx
            .object_store(OUTBOX)
            .map_err(|e| DbError::Txn(describe(&e)))?;
        let keys_req = os.get_all_keys().map_err(|e| DbError::Txn(describe(&e)))?;
        let values_req = os.get_all().map_err(|e| DbError::Txn(describe(&e)))?;
        let keys = JsFuture::from(request_promise(&keys_req))
            .await
            .map_err(|e| DbError::Txn(describe(&e)))?;
        let values = JsFuture::from(request_promise(&values_req))
            .await
            .map_err(|e| DbError::Txn(describe(&e)))?;
        Ok(Array::from(&keys)
            .iter()
            .zip(Array::from(&values).iter())
            .map(|(k, v)| (k.as_f64().unwrap_or(0.0), v.as_string().unwrap_or_default()))
            .collect())
    }

    /// Applies `ops` and adds `outbox` (when given) in one readwrite transaction, but only
    /// if every record in `checks` still holds the text whose version is expected
    /// (`records::sync::stale`). The check and the writes happen inside the transaction's
    /// own request callbacks, so no other tab can write in between. `Ok(Err(records))`:
    /// stale, nothing written.
    pub async fn apply_checked(
        &self,
        checks: Vec<(&'static str, String, Option<String>)>,
        ops: Vec<Op>,
        outbox: Option<String>,
    ) -> Result<Result<(), Vec<String>>, DbError> {
        use std::cell::RefCell;
        let mut names: Vec<&'static str> = ops.iter().map(Op::store).collect();
        names.extend(checks.iter().map(|c| c.0));
        if outbox.is_some() {
            names.push(OUTBOX);
        }
        if names.is_empty() {
            return Ok(Ok(()));
        }
        let tx = self.readwrite(names)?;
        let done = transaction_promise(&tx);
        struct Pending {
            tx: IdbTransaction,
            checks: Vec<(&'static str, String, Option<String>)>,
            found: Vec<Option<String>>,
            left: usize,
            ops: Vec<Op>,
            outbox: Option<String>,
            stale: Vec<String>,
            failed: Option<String>,
        }
        fn finish(p: &mut Pending) {
            for ((store, key, expect), found) in p.checks.iter().zip(&p.found) {
                if found.as_deref().map(ukemi_core::records::sync::version) != *expect {
                    p.stale
                        .push(ukemi_core::records::sync::record_name(store, key));
                }
            }
            if !p.stale.is_empty() {
                let _ = p.tx.abort();
                return;
            }
            if let Err(e) = write_ops(&p.tx, &p.ops) {
                p.failed = Some(e);
                let _ = p.tx.abort();
                return;
            }
            if let Some(text) = &p.outbox {
                let r =
                    p.tx.object_store(OUTBOX)
                        .and_then(|os| os.add(&JsValue::from_str(text)).map(|_| ()));
                if let Err(e) = r {
                    p.failed = Some(describe(&e));
                    let _ = p.tx.abort();
                }
            }
        }
        let n = checks.len();
        let pending = Rc::new(RefCell::new(Pending {
            tx: tx.clone(),
            checks,
            found: vec![None; n],
            left: n,
            ops,
            outbox,
            stale: Vec::new(),
            failed: None,
        }));
        if n == 0 {
            finish(&mut pending.borrow_mut());
        } else {
            let gets: Vec<(&'static str, String)> = pending
                .borrow()
                .checks
                .iter()
                .map(|(s, k, _)| (*s, k.clone()))
                .collect();
            for (i, (store, key)) in gets.into_iter().enumerate() {
                let req = match tx
                    .object_store(store)
                    .and_then(|os| os.get(&JsValue::from_str(&key)))
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = tx.abort();
                        return Err(DbError::Txn(describe(&e)));
                    }
                };
                let p = Rc::clone(&pending);
                let r2 = req.clone();
                let ok = Closure::once_into_js(move || {
                    let mut p = p.borrow_mut();
                    p.found[i] = r2.result().ok().and_then(|v| v.as_string());
                    p.left -= 1;
                    if p.left == 0 {
                        finish(&mut p);
                    }
                });
                req.set_onsuccess(Some(ok.unchecked_ref()));
            }
        }
        let r = JsFuture::from(done).await;
        let p = pending.borrow();
        match r {
            Ok(_) => Ok(Ok(())),
            Err(_) if !p.stale.is_empty() => Ok(Err(p.stale.clone())),
            Err(e) => Err(DbError::Aborted(
                p.failed.clone().unwrap_or_else(|| describe(&e)),
            )),
        }
    }

    /// Applies `ops` in one readwrite transaction only if the outbox is empty inside it:
    /// `Ok(false)` when a change waits there (written by this or another tab while the
    /// companion's book was on its way), and nothing is written. A fetched book must not
    /// overwrite an edit the companion has not seen yet (docs/records.md, "The durable copy").
    pub async fn apply_if_outbox_empty(&self, ops: Vec<Op>) -> Result<bool, DbError> {
        use std::cell::Cell;
        let mut names: Vec<&'static str> = ops.iter().map(Op::store).collect();
        names.push(OUTBOX);
        let tx = self.readwrite(names)?;
        let done = transaction_promise(&tx);
        let count = tx
            .object_store(OUTBOX)
            .and_then(|os| os.count())
            .map_err(|e| DbError::Txn(describe(&e)))?;
        // Decided inside the request's callback, so no other tab writes in between.
        let waiting = Rc::new(Cell::new(false));
        let failed = Rc::new(std::cell::RefCell::new(None::<String>));
        let (w, f, tx2, req) = (
            Rc::clone(&waiting),
            Rc::clone(&failed),
            tx.clone(),
            count.clone(),
        );
        let on_count = Closure::once_into_js(move || {
            let n = req.result().ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
            if n > 0.0 {
                w.set(true);
                let _ = tx2.abort();
            } else if let Err(e) = write_ops(&tx2, &ops) {
                *f.borrow_mut() = Some(e);
                let _ = tx2.abort();
            }
        });
        count.set_onsuccess(Some(on_count.unchecked_ref()));
        match JsFuture::from(done).await {
            Ok(_) => Ok(true),
            Err(_) if waiting.get() => Ok(false),
            Err(e) => Err(DbError::Aborted(
                failed.borrow().clone().unwrap_or_else(|| describe(&e)),
            )),
        }
    }

    /// Removes one outbox entry (its change reached the companion, or was refused there).
    pub async fn outbox_remove(&self, key: f64) -> Result<(), DbError> {
        let tx = self
            .db
            .transaction_with_str_and_mode(OUTBOX, IdbTransactionMode::Readwrite)
            .map_err(|e| DbError::Txn(describe(&e)))?;
        let done = transaction_promise(&tx);
        tx.object_store(OUTBOX)
            .and_then(|os| os.delete(&JsValue::from_f64(key)))
            .map_err(|e| DbError::Txn(describe(&e)))?;
        JsFuture::from(done)
            .await
            .map(|_| ())
            .map_err(|e| DbError::Aborted(describe(&e)))
    }
}

/// Puts, deletes and clears in `tx`, in order; the first failure's description.
fn write_ops(tx: &IdbTransaction, ops: &[Op]) -> Result<(), String> {
    for op in ops {
        let os = tx.object_store(op.store()).map_err(|e| describe(&e))?;
        match op {
            Op::Put { key, value, .. } => os
                .put_with_key(&JsValue::from_str(value), &JsValue::from_str(key))
                .map(|_| ()),
            Op::Delete { key, .. } => os.delete(&JsValue::from_str(key)).map(|_| ()),
            Op::Clear { .. } => os.clear().map(|_| ()),
        }
        .map_err(|e| describe(&e))?;
    }
    Ok(())
}

/// `navigator.storage.persist()`: whether the browser promised not to evict our data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    Granted,
    Denied,
    Unsupported,
}

pub async fn request_persistence() -> Persistence {
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else {
        return Persistence::Unsupported;
    };
    let Ok(p) = storage.persist() else {
        return Persistence::Unsupported;
    };
    match JsFuture::from(p).await {
        Ok(v) if v.as_bool() == Some(true) => Persistence::Granted,
        Ok(_) => Persistence::Denied,
        Err(_) => Persistence::Unsupported,
    }
}

/// Deletes the whole database (tests, a reset). `Blocked` while a tab still has it open.
#[allow(dead_code)] // nothing in the app resets storage yet
pub async fn delete_database(name: &str) -> Result<(), DbError> {
    let req = factory()?
        .delete_database(name)
        .map_err(|e| DbError::Open(describe(&e)))?;
    settle(&req).await.map(|_| ())
}
