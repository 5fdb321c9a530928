//! The edge between the clinic's book (in the page's state) and its two stored copies:
//! IndexedDB, the fast working copy, and the companion's durable copy (docs/records.md,
//! "The durable copy").
//!
//! Every change of the book becomes one `records::sync::Change`: the records that differ,
//! each with the version this tab based it on. It is stored in IndexedDB in **one
//! transaction** together with its entry in the outbox, and only if no other tab changed
//! those records first (then nothing is written, the tab reloads the book and says so).
//! The outbox survives a reload; its changes go to the companion in order, one at a time,
//! and leave it when the companion has stored them. A change the companion refuses as
//! stale (another browser changed the records) is dropped and said; then the page fetches
//! the companion's book. A companion holding another book is never merged with.
//!
//! The reducer stays pure; this keeper owns the database and the conversation with the
//! companion about the book. The driver hands it the book's messages (`deliver`).

use crate::idb::{self, Db, Op};
use crate::state::{records, Action, Durable, Offer, State};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use ukemi_core::protocol::book::BookInfo;
use ukemi_core::protocol::{Command, ErrorCode, Message};
use ukemi_core::records::store;
use ukemi_core::records::sync::{self, Change, PageBook, Plan, Snapshot, Versions};
use ukemi_core::records::Book;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// One database per origin; the name says whose it is.
pub const DB_NAME: &str = "ukemi";
/// Tabs of this origin tell each other that the book changed.
const CHANNEL: &str = "ukemi-book";
const SYNC_KEY: &str = "state";
/// How long after another browser's change the page fetches the book.
const PULL_DELAY_MS: u32 = 700;

fn ops(writes: Vec<store::Write>) -> Vec<Op> {
    writes
        .into_iter()
        .map(|w| match w.value {
            Some(value) => Op::Put {
                store: w.store,
                key: w.key,
                value,
            },
            None => Op::Delete {
                store: w.store,
                key: w.key,
            },
        })
        .collect()
}

fn static_store(name: &str) -> Option<&'static str> {
    store::STORES.iter().copied().find(|s| *s == name)
}

/// The record writes of a change as IndexedDB operations (a replace clears every store).
fn change_ops(c: &Change) -> Vec<Op> {
    let mut out: Vec<Op> = if c.replace {
        store::STORES
            .iter()
            .map(|s| Op::Clear { store: s })
            .collect()
    } else {
        Vec::new()
    };
    for w in &c.writes {
        let Some(store) = static_store(&w.store) else {
            continue;
        };
        out.push(match &w.value {
            Some(v) => Op::Put {
                store,
                key: w.key.clone(),
                value: v.clone(),
            },
            None => Op::Delete {
                store,
                key: w.key.clone(),
            },
        });
    }
    out
}

async fn load_rows(db: &Db) -> Result<Vec<(String, String, String)>, idb::DbError> {
    Ok(db.snapshot(&store::STORES).await?.0)
}

/// The stored book and the keys of the outbox entries already in it, from one transaction
/// (a whole-book copy takes exactly those entries out of the outbox once it is stored).
async fn load_copy(db: &Db) -> Result<(Vec<(String, String, String)>, Vec<f64>), idb::DbError> {
    let (rows, outbox) = db.snapshot(&store::STORES).await?;
    Ok((rows, outbox.into_iter().map(|(k, _)| k).collect()))
}

fn random_id() -> String {
    let mut b = [0u8; 16];
    if let Some(c) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = c.get_random_values_with_u8_array(&mut b);
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// What this copy is: the book's id and the companion change it last matched.
#[derive(serde::Serialize, serde::Deserialize, Default, Clone)]
struct SyncState {
    book_id: Option<String>,
    seq: u64,
}

#[derive(Default)]
struct Keeper {
    db: Option<Db>,
    /// The book as the database has it (`None` until read, or while unreadable).
    stored: Option<Rc<Book>>,
    versions: Versions,
    restores: u32,
    sync: SyncState,
    /// The outbox as stored: (IndexedDB key, change).
    outbox: VecDeque<(f64, Change)>,
    /// Counts this tab's own changes of the outbox (an entry added, or taken out after its
    /// answer): a read of the outbox begun before one of them is old when it ends, and is
    /// not used (`read_outbox`) — a lost entry would send a later change first, which the
    /// companion refuses as stale.
    outbox_gen: u64,
    send: Option<Callback<Command>>,
    dispatch: Option<Callback<Action>>,
    /// Paired with a companion that keeps the book.
    online: bool,
    /// The change on its way to the companion.
    sending: Option<String>,
    /// Pieces of the companion's book arriving, and why it was asked for.
    pulling: Option<(String, Pull)>,
    /// The companion's book must be fetched once nothing waits to be sent.
    need_pull: bool,
    /// The companion holds another book: nothing is sent until the clinic chooses.
    blocked: bool,
    durable: Durable,
    /// The screen the page shows (for the change trail).
    screen: &'static str,
    last_edit: &'static str,
    channel: Option<web_sys::BroadcastChannel>,
    /// A whole-book copy on its way: its change id, and the outbox entries it already holds
    /// (they leave the outbox when it is stored).
    adopting: Option<(String, Vec<f64>)>,
    /// What was said about a change refused as stale, kept until the fetch that follows
    /// has shown the stored book (then both are said together).
    stale_note: Option<(String, String)>,
    /// This browser's storage has been read (or found unreadable).
    loaded: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pull {
    /// The page's storage is empty or damaged: the clinic asked to restore.
    Restore,
    /// The same book changed elsewhere (another browser), or a change was stale.
    Refresh,
}

thread_local! {
    static KEEPER: RefCell<Weak<RefCell<Keeper>>> = const { RefCell::new(Weak::new()) };
}

fn keeper() -> Option<Rc<RefCell<Keeper>>> {
    KEEPER.with(|k| k.borrow().upgrade())
}

/// What the keeper must do after letting go of itself: yew may run effects (which borrow
/// the keeper) inside a dispatch, so nothing is dispatched or sent while it is borrowed.
#[derive(Default)]
struct Out {
    actions: Vec<Action>,
    commands: Vec<Command>,
}

fn run(k: &Rc<RefCell<Keeper>>, f: impl FnOnce(&mut Keeper, &mut Out)) {
    let mut out = Out::default();
    let (dispatch, send) = {
        let mut kb = k.borrow_mut();
        f(&mut kb, &mut out);
        (kb.dispatch.clone(), kb.send.clone())
    };
    if let Some(d) = dispatch {
        for a in out.actions {
            d.emit(a);
        }
    }
    if let Some(s) = send {
        for c in out.commands {
            s.emit(c);
        }
    }
}

/// The driver: a paired companion that keeps the book.
pub fn companion_ready() {
    if let Some(k) = keeper() {
        run(&k, |kb, out| {
            kb.online = true;
            kb.sending = None;
            kb.pulling = None;
            // Nothing is sent before `BOOK_INFO` says whose book the companion holds.
            kb.blocked = true;
            kb.durable.info = None;
            kb.durable.connected = true;
            out.commands.push(Command::BookInfo);
            kb.publish(out);
        });
    }
}

/// The driver: the connection ended.
pub fn companion_gone() {
    if let Some(k) = keeper() {
        run(&k, |kb, out| {
            if !kb.online {
                return;
            }
            kb.online = false;
            kb.sending = None;
            kb.pulling = None;
            kb.durable.connected = false;
            kb.durable.fetching = false;
            kb.publish(out);
        });
    }
}

/// The driver: a message about the book.
pub fn deliver(m: Message) {
    let Some(k) = keeper() else {
        return;
    };
    match m {
        Message::BookInfo(info) => run(&k, |kb, out| kb.on_info(*info, out)),
        Message::BookStored {
            change,
            seq,
            stored_at,
        } => on_stored(&k, change, seq, stored_at),
        Message::BookStale { change, records } => on_stale(&k, change, records),
        Message::BookData { part, parts, data } => on_data(&k, part, parts, data),
        Message::BookTrail { entries } => run(&k, |kb, out| {
            kb.durable.trail = Some(entries);
            kb.publish(out);
        }),
        Message::BookChanged { seq } => {
            // Another tab of this browser may have stored (and so matched) it already: what
            // the database says decides, not this tab's memory.
            let Some(db) = k.borrow().db.clone() else {
                return;
            };
            spawn_local(async move {
                let stored = load_sync(&db).await;
                let outbox = read_outbox(&k, &db).await;
                let due = {
                    let mut kb = k.borrow_mut();
                    kb.sync.seq = kb.sync.seq.max(stored.seq);
                    kb.outbox = outbox;
                    let due = seq > kb.sync.seq && !kb.blocked && !kb.need_pull;
                    if due {
                        kb.need_pull = true;
                    }
                    due
                };
                if due {
                    // Another browser's changes come in bursts (one per keystroke): fetch
                    // once the burst is over, not once per change.
                    let k = Rc::clone(&k);
                    gloo_timers::callback::Timeout::new(PULL_DELAY_MS, move || {
                        run(&k, |kb, out| kb.next(out));
                    })
                    .forget();
                }
            });
        }
        Message::Error { code, .. } => run(&k, |kb, out| {
            kb.sending = None;
            kb.pulling = None;
            kb.durable.fetching = false;
            crate::log::warn("book.companion_error", &code.as_str());
            match code {
                ErrorCode::BookMismatch => {
                    kb.blocked = true;
                    out.commands.push(Command::BookInfo);
                }
                ErrorCode::BookUnavailable => out.commands.push(Command::BookInfo),
                _ => {}
            }
            kb.publish(out);
        }),
        _ => {}
    }
}

/// 設定: fetch the change trail.
pub fn load_trail() {
    if let Some(k) = keeper() {
        run(&k, |kb, out| {
            if kb.online {
                out.commands.push(Command::BookTrail {
                    before: None,
                    limit: 200,
                });
            }
        });
    }
}

/// The clinic chose to restore the companion's book into this browser (after confirming).
pub fn restore_from_companion() {
    if let Some(k) = keeper() {
        run(&k, |kb, out| kb.pull(Pull::Restore, out));
    }
}

/// The clinic chose to keep this browser's book: the companion's (another) book is backed
/// up there and replaced by this one.
pub fn replace_companion_book() {
    let Some(k) = keeper() else {
        return;
    };
    let Some(db) = k.borrow().db.clone() else {
        return;
    };
    spawn_local(async move {
        let Ok((rows, in_copy)) = load_copy(&db).await else {
            return;
        };
        run(&k, |kb, out| {
            kb.blocked = false;
            kb.adopt(rows, in_copy, out);
        });
    });
}

/// The companion's book file is damaged: put its latest good backup in place.
pub fn restore_companion_backup(name: String) {
    if let Some(k) = keeper() {
        run(&k, |kb, out| {
            if kb.online {
                out.commands.push(Command::BackupRestore { name });
                out.commands.push(Command::BookInfo);
            }
        });
    }
}

impl Keeper {
    fn publish(&mut self, out: &mut Out) {
        self.durable.pending = self.outbox.len();
        out.actions
            .push(Action::from(records::Action::Durable(Box::new(
                self.durable.clone(),
            ))));
    }

    fn say(&mut self, ja: String, en: String, out: &mut Out) {
        self.durable.notice = Some((ja.clone(), en.clone()));
        out.actions
            .push(Action::from(records::Action::Notice { ja, en }));
    }

    fn page_book(&self) -> PageBook {
        let empty = match &self.stored {
            Some(b) => **b == Book::default(),
            None => true,
        };
        PageBook {
            book_id: self.sync.book_id.clone(),
            seq: self.sync.seq,
            empty,
        }
    }

    fn on_info(&mut self, info: BookInfo, out: &mut Out) {
        self.durable.info = Some(info);
        self.plan(out);
        self.publish(out);
    }

    /// What to do with the companion's book, once both the companion's answer and this
    /// browser's storage are known (either may come first).
    fn plan(&mut self, out: &mut Out) {
        let Some(info) = self.durable.info.clone() else {
            return;
        };
        if !self.loaded || !self.online {
            return;
        }
        self.durable.offer = Offer::None;
        if info.damaged.is_some() {
            self.durable.offer = Offer::Damaged;
        } else {
            match sync::plan(&self.page_book(), info.book.as_ref()) {
                Plan::Nothing => self.blocked = false,
                Plan::Adopt => {
                    if let Some(db) = self.db.clone() {
                        // The page's stored texts verbatim, so both copies agree on versions.
                        let me = keeper();
                        spawn_local(async move {
                            if let (Ok((rows, in_copy)), Some(k)) = (load_copy(&db).await, me) {
                                run(&k, |kb, out| kb.adopt(rows, in_copy, out));
                            }
                        });
                    }
                }
                Plan::OfferRestore => {
                    if let Some(b) = &info.book {
                        self.durable.offer = Offer::Restore(b.clone());
                    }
                }
                Plan::Sync { behind } => {
                    self.blocked = false;
                    self.need_pull |= behind;
                    self.next(out);
                }
                Plan::Foreign => {
                    self.blocked = true;
                    if let Some(b) = &info.book {
                        self.durable.offer = Offer::Foreign(b.clone());
                    }
                }
                Plan::CompanionBehind => {
                    self.blocked = true;
                    if let Some(b) = &info.book {
                        self.durable.offer = Offer::Behind(b.clone());
                    }
                }
            }
        }
    }

    /// The whole stored book as one replacing change, sent now (not kept in the outbox:
    /// the next connection plans it again if it does not arrive). `in_copy`: the outbox
    /// entries read with `rows` (only those leave the outbox when the copy is stored; one
    /// stored after the read is sent on its own).
    fn adopt(&mut self, rows: Vec<(String, String, String)>, in_copy: Vec<f64>, out: &mut Out) {
        if !self.online || self.sending.is_some() {
            return;
        }
        let book_id = self.sync.book_id.clone().unwrap_or_else(random_id);
        let change = Change {
            id: random_id(),
            book_id,
            at: crate::clock::now_iso(),
            screen: self.screen.to_string(),
            kind: "adopt".into(),
            replace: true,
            writes: rows
                .into_iter()
                .map(|(store, key, text)| sync::VersionedWrite {
                    store,
                    key,
                    expect: None,
                    value: Some(text),
                })
                .collect(),
        };
        // This book is the companion's from now on.
        self.blocked = false;
        self.durable.offer = Offer::None;
        self.adopting = Some((change.id.clone(), in_copy));
        self.sync.book_id = Some(change.book_id.clone());
        self.push(&change, out);
    }

    fn push(&mut self, change: &Change, out: &mut Out) {
        let text = serde_json::to_string(change).unwrap_or_default();
        let pieces = sync::pieces(&text, sync::PIECE_BYTES);
        let parts = pieces.len() as u32;
        self.sending = Some(change.id.clone());
        for (i, p) in pieces.into_iter().enumerate() {
            out.commands.push(Command::BookPush {
                change: change.id.clone(),
                part: i as u32,
                parts,
                data: p.to_string(),
            });
        }
    }

    /// Sends the next waiting change, or fetches the companion's book when due.
    fn next(&mut self, out: &mut Out) {
        if !self.online || self.blocked || self.sending.is_some() || self.pulling.is_some() {
            return;
        }
        if let Some((_, c)) = self.outbox.front().cloned() {
            self.push(&c, out);
        } else if self.need_pull {
            self.pull(Pull::Refresh, out);
        }
    }

    fn pull(&mut self, why: Pull, out: &mut Out) {
        if !self.online || self.pulling.is_some() {
            return;
        }
        self.need_pull = false;
        self.pulling = Some((String::new(), why));
        self.durable.fetching = true;
        out.commands.push(Command::BookPull);
        self.publish(out);
    }
}

fn on_stored(k: &Rc<RefCell<Keeper>>, change: String, seq: u64, stored_at: String) {
    let (db, keys) = {
        let mut kb = k.borrow_mut();
        if kb.sending.as_deref() != Some(change.as_str()) {
            return;
        }
        kb.sending = None;
        kb.sync.seq = kb.sync.seq.max(seq);
        kb.durable.last_stored = Some((seq, stored_at));
        let keys: Vec<f64> = match kb.adopting.take() {
            // The whole book went: the changes already in it leave the outbox.
            Some((id, keys)) if id == change => keys,
            _ => match kb.outbox.front() {
                Some((key, c)) if c.id == change => vec![*key],
                _ => Vec::new(),
            },
        };
        kb.outbox.retain(|(key, _)| !keys.contains(key));
        kb.outbox_gen += 1;
        (kb.db.clone(), keys)
    };
    let state = k.borrow().sync.clone();
    let k = Rc::clone(k);
    spawn_local(async move {
        if let Some(db) = &db {
            for key in keys {
                let _ = db.outbox_remove(key).await;
            }
            let _ = save_sync(db, &state).await;
        }
        run(&k, |kb, out| {
            kb.publish(out);
            kb.next(out);
        });
    });
}

fn on_stale(k: &Rc<RefCell<Keeper>>, change: String, stale: Vec<String>) {
    let records = stale.len();
    let (db, keys, kind) = {
        let mut kb = k.borrow_mut();
        if kb.sending.as_deref() != Some(change.as_str()) {
            return;
        }
        kb.sending = None;
        let kind = match kb.outbox.front() {
            Some((_, c)) if c.id == change => c.kind.clone(),
            _ => String::new(),
        };
        // The refused change, and every later one that writes the same records: they were
        // based on it, so the companion would refuse them too.
        let keys: Vec<f64> = kb
            .outbox
            .iter()
            .filter(|(_, c)| c.id == change || c.records().iter().any(|r| stale.contains(r)))
            .map(|(k, _)| *k)
            .collect();
        kb.outbox.retain(|(k, _)| !keys.contains(k));
        kb.outbox_gen += 1;
        (kb.db.clone(), keys, kind)
    };
    let k = Rc::clone(k);
    spawn_local(async move {
        if let Some(db) = &db {
            for key in keys {
                let _ = db.outbox_remove(key).await;
            }
        }
        crate::log::warn("book.stale_at_companion", &format!("records={records}"));
        run(&k, |kb, out| {
            let (ja, en) = sync::kind_label(&kind);
            let note = (
                format!("別の画面（別のブラウザ）で同じ記録が先に変更されていたため、「{ja}」の変更はコンパニオンに保存されませんでした。必要なら入力し直してください。"),
                format!("The same records were changed first elsewhere (another browser), so the change \"{en}\" was not saved in the companion. Enter it again if needed."),
            );
            kb.say(note.0.clone(), note.1.clone(), out);
            kb.stale_note = Some(note);
            kb.need_pull = true;
            kb.publish(out);
            kb.next(out);
        });
    });
}

fn on_data(k: &Rc<RefCell<Keeper>>, part: u32, parts: u32, data: String) {
    let done = {
        let mut kb = k.borrow_mut();
        let Some((text, why)) = kb.pulling.as_mut() else {
            return;
        };
        text.push_str(&data);
        if part + 1 < parts {
            return;
        }
        let why = *why;
        let text = std::mem::take(text);
        kb.pulling = None;
        (text, why)
    };
    let (text, why) = done;
    let snapshot: Snapshot = match serde_json::from_str(&text) {
        Ok(s) => s,
        Err(_) => {
            run(k, |kb, out| {
                kb.durable.fetching = false;
                kb.say(
                    "コンパニオンの台帳を受け取れませんでした。もう一度お試しください。".into(),
                    "The companion's book did not arrive whole. Try again.".into(),
                    out,
                );
                kb.publish(out);
            });
            return;
        }
    };
    // The same checks as a backup file: every record reads, the book hangs together.
    let book = match snapshot.book() {
        Ok(b) => b,
        Err(e) => {
            crate::log::error("book.companion_unreadable", &e.log_detail());
            run(k, |kb, out| {
                kb.durable.fetching = false;
                kb.say(e.message_ja(), e.message_en(), out);
                kb.publish(out);
            });
            return;
        }
    };
    let k = Rc::clone(k);
    spawn_local(async move {
        let (db, before) = {
            let kb = k.borrow();
            (kb.db.clone(), kb.stored.clone())
        };
        let Some(db) = db else {
            return;
        };
        let state = SyncState {
            book_id: Some(snapshot.book_id.clone()),
            seq: snapshot.seq,
        };
        let mut all: Vec<Op> = store::STORES
            .iter()
            .map(|s| Op::Clear { store: s })
            .collect();
        // What waited to be sent was for the book this one replaces (or already in it).
        if why == Pull::Restore {
            all.push(Op::Clear { store: idb::OUTBOX });
        }
        for (s, key, value) in &snapshot.rows {
            if let Some(store) = static_store(s) {
                all.push(Op::Put {
                    store,
                    key: key.clone(),
                    value: value.clone(),
                });
            }
        }
        all.push(Op::Put {
            store: idb::SYNC,
            key: SYNC_KEY.into(),
            value: serde_json::to_string(&state).unwrap_or_default(),
        });
        // A restore replaces everything, outbox included. A refresh must not overwrite an
        // edit made while the book was on its way (in this tab or another): then the
        // waiting changes go first and the book is fetched again after them.
        let saved = if why == Pull::Restore {
            db.apply(all).await.map(|()| true)
        } else {
            db.apply_if_outbox_empty(all).await
        };
        if matches!(saved, Ok(false)) {
            crate::log::info("book.pull_deferred", "changes wait in the outbox");
            let outbox = read_outbox(&k, &db).await;
            run(&k, |kb, out| {
                kb.durable.fetching = false;
                kb.outbox = outbox;
                kb.need_pull = true;
                kb.publish(out);
            });
            // Not at once: an entry this tab cannot read would otherwise be asked about in
            // a tight loop.
            let k = Rc::clone(&k);
            gloo_timers::callback::Timeout::new(PULL_DELAY_MS, move || {
                run(&k, |kb, out| kb.next(out));
            })
            .forget();
            return;
        }
        run(&k, |kb, out| {
            kb.durable.fetching = false;
            match saved {
                Ok(_) => {
                    kb.sync = state;
                    kb.blocked = false;
                    if why == Pull::Restore {
                        kb.outbox.clear();
                        kb.outbox_gen += 1;
                    }
                    kb.durable.offer = Offer::None;
                    let notice = match why {
                        Pull::Restore => Some((
                            format!(
                                "コンパニオンの台帳を復元しました（患者{}人）。",
                                book.patients.len()
                            ),
                            format!(
                                "Restored the companion's book ({} patients).",
                                book.patients.len()
                            ),
                        )),
                        // After a refused change: said together.
                        Pull::Refresh => kb.stale_note.take().map(|(ja0, en0)| {
                            (
                                format!("{ja0}コンパニオンから最新の台帳を読み込みました。"),
                                format!("{en0} Loaded the latest book from the companion."),
                            )
                        }),
                        // Another browser's change, fetched quietly: the screen shows it.
                    };
                    if !same_book(&kb.stored, &before) {
                        // An edit of this tab was stored on top of the fetched book while it
                        // was being written: the database, not the fetched book, is what the
                        // screen and the next change must start from.
                        spawn_local(reload(Rc::clone(&k), notice));
                    } else {
                        let book = Rc::new(book);
                        kb.versions = Versions::of_rows(
                            snapshot
                                .rows
                                .iter()
                                .map(|(s, k, t)| (s.as_str(), k.as_str(), t.as_str())),
                        );
                        kb.stored = Some(Rc::clone(&book));
                        out.actions.push(Action::from(records::Action::BookLoaded {
                            book: (*book).clone(),
                            stored: true,
                        }));
                        if let Some((ja, en)) = notice {
                            kb.say(ja, en, out);
                        }
                    }
                    kb.broadcast();
                }
                Err(e) => kb.say(
                    format!("復元できませんでした: {}", e.message_ja()),
                    format!("Could not restore: {}", e.message_en()),
                    out,
                ),
            }
            kb.publish(out);
            kb.next(out);
        });
    });
}

async fn load_sync(db: &Db) -> SyncState {
    db.load_all(idb::SYNC)
        .await
        .ok()
        .and_then(|rows| rows.into_iter().find(|(key, _)| key == SYNC_KEY))
        .and_then(|(_, v)| serde_json::from_str(&v).ok())
        .unwrap_or_default()
}

async fn save_sync(db: &Db, state: &SyncState) -> Result<(), idb::DbError> {
    db.apply(vec![Op::Put {
        store: idb::SYNC,
        key: SYNC_KEY.into(),
        value: serde_json::to_string(state).unwrap_or_default(),
    }])
    .await
}

impl Keeper {
    fn broadcast(&self) {
        if let Some(c) = &self.channel {
            let _ = c.post_message(&JsValue::from_str("changed"));
        }
    }
}

/// Loads the book (unless in the demo) and keeps both copies in step with it.
#[hook]
pub fn use_book(state: &UseReducerHandle<State>, send: Callback<Command>) {
    let keeper_rc: Rc<RefCell<Keeper>> = use_mut_ref(Keeper::default);
    {
        let dispatcher = state.dispatcher();
        let k = Rc::clone(&keeper_rc);
        let demo = state.demo;
        use_effect_with((), move |_| {
            if demo {
                dispatcher.dispatch(Action::from(records::Action::BookLoaded {
                    book: crate::demo::sample_book(),
                    stored: false,
                }));
            } else {
                {
                    let mut kb = k.borrow_mut();
                    kb.send = Some(send);
                    let d = dispatcher.clone();
                    kb.dispatch = Some(Callback::from(move |a| d.dispatch(a)));
                }
                KEEPER.with(|w| *w.borrow_mut() = Rc::downgrade(&k));
                listen_to_other_tabs(&k);
                spawn_local(open(Rc::clone(&k)));
            }
            || ()
        });
    }
    {
        let mut kb = keeper_rc.borrow_mut();
        kb.screen = state.screen.hash();
        kb.last_edit = state.records.last_edit;
    }
    let book = state.records.book.clone();
    let restores = state.records.restores;
    let k = Rc::clone(&keeper_rc);
    use_effect_with((book, restores), move |(book, restores)| {
        save(&k, book, *restores);
    });
}

/// Another tab stored a change: this tab reads the book again (when it has nothing of its
/// own on the way), so it does not edit from an old copy.
fn listen_to_other_tabs(k: &Rc<RefCell<Keeper>>) {
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let weak = Rc::downgrade(k);
    let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_e| {
        if let Some(k) = weak.upgrade() {
            spawn_local(reload(k, None));
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    k.borrow_mut().channel = Some(channel);
}

/// Reads the book, its versions and the outbox again from IndexedDB. An edit of this tab
/// stored while they were being read makes what was read old: then it reads again, so the
/// screen never goes back to the text before that edit.
async fn reload(k: Rc<RefCell<Keeper>>, notice: Option<(String, String)>) {
    let (db, before, gen) = {
        let kb = k.borrow();
        (kb.db.clone(), kb.stored.clone(), kb.outbox_gen)
    };
    let Some(db) = db else {
        return;
    };
    let Ok((rows, outbox)) = db.snapshot(&store::STORES).await else {
        return;
    };
    let stored = load_sync(&db).await;
    let Ok((book, _)) = store::load(rows.clone()) else {
        return;
    };
    let moved = {
        let kb = k.borrow();
        !same_book(&kb.stored, &before) || kb.outbox_gen != gen
    };
    if moved {
        spawn_local(Box::pin(reload(k, notice)));
        return;
    }
    run(&k, |kb, out| {
        kb.versions = Versions::of_rows(
            rows.iter()
                .map(|(s, k, t)| (s.as_str(), k.as_str(), t.as_str())),
        );
        kb.outbox = parse_outbox(outbox);
        kb.sync.seq = kb.sync.seq.max(stored.seq);
        if kb.sync.book_id.is_none() {
            kb.sync.book_id = stored.book_id;
        }
        let changed = kb.stored.as_deref() != Some(&book);
        kb.stored = Some(Rc::new(book.clone()));
        if changed {
            out.actions.push(Action::from(records::Action::BookLoaded {
                book,
                stored: true,
            }));
        }
        if let Some((ja, en)) = notice {
            kb.say(ja, en, out);
        }
        kb.publish(out);
        kb.next(out);
    });
}

/// The outbox as IndexedDB has it, read again while this tab changed it during the read
/// (see `Keeper::outbox_gen`). The caller uses it before its next await.
async fn read_outbox(k: &Rc<RefCell<Keeper>>, db: &Db) -> VecDeque<(f64, Change)> {
    loop {
        let gen = k.borrow().outbox_gen;
        let outbox = parse_outbox(db.load_outbox().await.unwrap_or_default());
        if k.borrow().outbox_gen == gen {
            return outbox;
        }
    }
}

/// The same book value in the keeper (an edit or a load makes a new one).
fn same_book(a: &Option<Rc<Book>>, b: &Option<Rc<Book>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => Rc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

fn parse_outbox(entries: Vec<(f64, String)>) -> VecDeque<(f64, Change)> {
    entries
        .into_iter()
        .filter_map(|(k, t)| serde_json::from_str(&t).ok().map(|c| (k, c)))
        .collect()
}

/// One change of the book in the state: stored in IndexedDB with its outbox entry.
fn save(k: &Rc<RefCell<Keeper>>, book: &Rc<Book>, restores: u32) {
    let mut kb = k.borrow_mut();
    let Some(db) = kb.db.clone() else {
        return;
    };
    let replace = restores != kb.restores;
    let writes = if replace {
        kb.restores = restores;
        sync::replacing(book)
    } else {
        match &kb.stored {
            Some(old) if Rc::ptr_eq(old, book) => return,
            Some(old) => sync::versioned(store::writes(old, book), &kb.versions),
            // Unreadable data is never overwritten by an edit, only by a restore.
            None => return,
        }
    };
    let previous = kb.stored.replace(Rc::clone(book));
    if writes.is_empty() {
        return;
    }
    let new_book = kb.sync.book_id.is_none();
    let book_id = kb.sync.book_id.clone().unwrap_or_else(random_id);
    kb.sync.book_id = Some(book_id.clone());
    let change = Change {
        id: random_id(),
        book_id,
        at: crate::clock::now_iso(),
        screen: kb.screen.to_string(),
        kind: if replace { "restore" } else { kb.last_edit }.to_string(),
        replace,
        writes,
    };
    let versions_before = kb.versions.clone();
    kb.versions.apply(&change);
    let state = kb.sync.clone();
    drop(kb);
    let checks: Vec<(&'static str, String, Option<String>)> = if replace {
        Vec::new()
    } else {
        change
            .writes
            .iter()
            .filter_map(|w| static_store(&w.store).map(|s| (s, w.key.clone(), w.expect.clone())))
            .collect()
    };
    let mut all = change_ops(&change);
    if new_book {
        all.push(Op::Put {
            store: idb::SYNC,
            key: SYNC_KEY.into(),
            value: serde_json::to_string(&state).unwrap_or_default(),
        });
    }
    let text = serde_json::to_string(&change).unwrap_or_default();
    let book = Rc::clone(book);
    let k = Rc::clone(k);
    spawn_local(async move {
        match db.apply_checked(checks, all, Some(text)).await {
            Ok(Ok(())) => {
                k.borrow_mut().outbox_gen += 1;
                let outbox = read_outbox(&k, &db).await;
                run(&k, |kb, out| {
                    kb.outbox = outbox;
                    out.actions.push(Action::from(records::Action::Saved));
                    kb.broadcast();
                    kb.publish(out);
                    kb.next(out);
                });
            }
            Ok(Err(records)) => {
                crate::log::warn(
                    "book.stale_in_browser",
                    &format!("records={}", records.len()),
                );
                {
                    let mut kb = k.borrow_mut();
                    kb.versions = versions_before;
                }
                reload(
                    k,
                    Some((
                        "別のタブで同じ記録が先に変更されていたため、この変更は保存しませんでした。最新の内容を表示しています。必要なら入力し直してください。".into(),
                        "Another tab changed the same records first, so this change was not saved. The latest book is shown; enter it again if needed.".into(),
                    )),
                )
                .await;
            }
            Err(e) => {
                crate::log::error("book.save_failed", &e.message_en());
                let mut kb = k.borrow_mut();
                // The next change writes the difference from what is really stored.
                if kb.stored.as_ref().is_some_and(|b| Rc::ptr_eq(b, &book)) {
                    kb.stored = previous;
                    kb.versions = versions_before;
                }
                let dispatch = kb.dispatch.clone();
                drop(kb);
                if let Some(d) = dispatch {
                    d.emit(Action::from(records::Action::SaveFailed {
                        ja: format!("保存できませんでした: {}", e.message_ja()),
                        en: format!("Could not save: {}", e.message_en()),
                    }));
                }
            }
        }
    });
}

async fn open(k: Rc<RefCell<Keeper>>) {
    let dispatch = match k.borrow().dispatch.clone() {
        Some(d) => d,
        None => return,
    };
    let db = match Db::open(DB_NAME).await {
        Ok(db) => db,
        Err(e) => {
            crate::log::error("book.open_failed", &e.message_en());
            // Private windows and old browsers: work on, but say nothing will be kept.
            dispatch.emit(Action::from(records::Action::BookLoaded {
                book: Book::default(),
                stored: false,
            }));
            dispatch.emit(Action::from(records::Action::SaveFailed {
                ja: format!("このブラウザではデータを保存できません（{}）。入力内容は画面を閉じると失われます。", e.message_ja()),
                en: format!("This browser cannot store data ({}). What you enter is lost when the page closes.", e.message_en()),
            }));
            return;
        }
    };
    let sync_state = load_sync(&db).await;
    let outbox = parse_outbox(db.load_outbox().await.unwrap_or_default());
    {
        let mut kb = k.borrow_mut();
        kb.sync = sync_state;
        kb.outbox = outbox;
    }
    let rows = match load_rows(&db).await {
        Ok(rows) => rows,
        Err(e) => {
            crate::log::error("book.unreadable", &e.message_en());
            k.borrow_mut().db = Some(db);
            dispatch.emit(Action::from(records::Action::BookUnreadable {
                ja: e.message_ja(),
                en: e.message_en(),
            }));
            run(&k, |kb, out| {
                kb.loaded = true;
                kb.plan(out);
                kb.publish(out);
            });
            return;
        }
    };
    match store::load(rows.clone()) {
        Ok((book, upgrade)) => {
            let mut versions = Versions::of_rows(
                rows.iter()
                    .map(|(s, k, t)| (s.as_str(), k.as_str(), t.as_str())),
            );
            if !upgrade.is_empty() {
                // The upgraded (or first) records: this copy's versions follow them, and a
                // book the companion already holds gets them as a change of their own.
                let book_id = k.borrow().sync.book_id.clone();
                let change = Change {
                    id: random_id(),
                    book_id: book_id.clone().unwrap_or_default(),
                    at: crate::clock::now_iso(),
                    screen: String::new(),
                    kind: "upgrade".into(),
                    replace: false,
                    writes: sync::versioned(upgrade.clone(), &versions),
                };
                let text = book_id
                    .is_some()
                    .then(|| serde_json::to_string(&change).ok())
                    .flatten();
                match db.apply_checked(Vec::new(), ops(upgrade), text).await {
                    Ok(_) => versions.apply(&change),
                    Err(e) => {
                        crate::log::error("book.upgrade_failed", &e.message_en());
                        dispatch.emit(Action::from(records::Action::SaveFailed {
                            ja: e.message_ja(),
                            en: e.message_en(),
                        }));
                    }
                }
            }
            let book = Rc::new(book);
            let outbox = parse_outbox(db.load_outbox().await.unwrap_or_default());
            {
                let mut kb = k.borrow_mut();
                kb.db = Some(db);
                kb.stored = Some(Rc::clone(&book));
                kb.versions = versions;
                kb.outbox = outbox;
            }
            dispatch.emit(Action::from(records::Action::BookLoaded {
                book: (*book).clone(),
                stored: true,
            }));
            run(&k, |kb, out| {
                kb.loaded = true;
                kb.plan(out);
                kb.publish(out);
                kb.next(out);
            });
            let persistent = idb::request_persistence().await;
            dispatch.emit(Action::from(records::Action::Persistence(persistent)));
        }
        Err(e) => {
            crate::log::error("book.unreadable", &e.log_detail());
            k.borrow_mut().db = Some(db);
            dispatch.emit(Action::from(records::Action::BookUnreadable {
                ja: e.message_ja(),
                en: e.message_en(),
            }));
            run(&k, |kb, out| {
                kb.loaded = true;
                kb.plan(out);
                kb.publish(out);
            });
        }
    }
}
