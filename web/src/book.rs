//! The edge between the clinic's book (in the page's state) and IndexedDB: read once at
//! start, then every change of the book written as the records that differ, in one
//! transaction. The reducer stays pure; this hook owns the database.

use crate::idb::{self, Db, Op};
use crate::state::{Action, State};
use std::cell::RefCell;
use std::rc::Rc;
use ukemi_core::records::store::{self, Write};
use ukemi_core::records::Book;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// One database per origin; the name says whose it is.
pub const DB_NAME: &str = "ukemi";

fn ops(writes: Vec<Write>) -> Vec<Op> {
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

/// Every store emptied and the book written anew: a restore, in one transaction, so a
/// failure leaves the old data whole.
fn replace_all(book: &Book) -> Vec<Op> {
    let mut out: Vec<Op> = store::STORES
        .iter()
        .map(|s| Op::Clear { store: s })
        .collect();
    out.extend(ops(store::initial_writes(book)));
    out
}

async fn load(db: &Db) -> Result<Vec<(String, String, String)>, idb::DbError> {
    let mut rows = Vec::new();
    for s in store::STORES {
        for (k, v) in db.load_all(s).await? {
            rows.push((s.to_string(), k, v));
        }
    }
    Ok(rows)
}

#[derive(Default)]
struct Sync {
    db: Option<Db>,
    /// The book as the database has it (`None` until read, or while unreadable).
    stored: Option<Rc<Book>>,
    restores: u32,
}

/// Loads the book (unless in the demo) and keeps the database in step with it.
#[hook]
pub fn use_book(state: &UseReducerHandle<State>) {
    let sync: Rc<RefCell<Sync>> = use_mut_ref(Sync::default);
    {
        let dispatcher = state.dispatcher();
        let sync = Rc::clone(&sync);
        let demo = state.demo;
        use_effect_with((), move |_| {
            if demo {
                dispatcher.dispatch(Action::BookLoaded {
                    book: crate::demo::sample_book(),
                    stored: false,
                });
            } else {
                spawn_local(open(dispatcher, sync));
            }
            || ()
        });
    }
    let book = state.book.clone();
    let restores = state.restores;
    let dispatcher = state.dispatcher();
    use_effect_with((book, restores), move |(book, restores)| {
        let mut s = sync.borrow_mut();
        let Some(db) = s.db.clone() else {
            return;
        };
        let pending = if *restores != s.restores {
            s.restores = *restores;
            replace_all(book)
        } else {
            match &s.stored {
                Some(old) if Rc::ptr_eq(old, book) => return,
                Some(old) => ops(store::writes(old, book)),
                // Unreadable data is never overwritten by an edit, only by a restore.
                None => return,
            }
        };
        let previous = s.stored.replace(Rc::clone(book));
        drop(s);
        if pending.is_empty() {
            return;
        }
        let book = Rc::clone(book);
        let sync = Rc::clone(&sync);
        spawn_local(async move {
            match db.apply(pending).await {
                Ok(()) => dispatcher.dispatch(Action::Saved),
                Err(e) => {
                    crate::log::error("book.save_failed", &e.message_en());
                    // The next change writes the difference from what is really stored.
                    let mut s = sync.borrow_mut();
                    if s.stored.as_ref().is_some_and(|b| Rc::ptr_eq(b, &book)) {
                        s.stored = previous;
                    }
                    drop(s);
                    dispatcher.dispatch(Action::SaveFailed {
                        ja: format!("保存できませんでした: {}", e.message_ja()),
                        en: format!("Could not save: {}", e.message_en()),
                    });
                }
            }
        });
    });
}

async fn open(dispatcher: UseReducerDispatcher<State>, sync: Rc<RefCell<Sync>>) {
    let db = match Db::open(DB_NAME).await {
        Ok(db) => db,
        Err(e) => {
            crate::log::error("book.open_failed", &e.message_en());
            // Private windows and old browsers: work on, but say nothing will be kept.
            dispatcher.dispatch(Action::BookLoaded {
                book: Book::default(),
                stored: false,
            });
            dispatcher.dispatch(Action::SaveFailed {
                ja: format!("このブラウザではデータを保存できません（{}）。入力内容は画面を閉じると失われます。", e.message_ja()),
                en: format!("This browser cannot store data ({}). What you enter is lost when the page closes.", e.message_en()),
            });
            return;
        }
    };
    let rows = match load(&db).await {
        Ok(rows) => rows,
        Err(e) => {
            crate::log::error("book.unreadable", &e.message_en());
            sync.borrow_mut().db = Some(db);
            dispatcher.dispatch(Action::BookUnreadable {
                ja: e.message_ja(),
                en: e.message_en(),
            });
            return;
        }
    };
    match store::load(rows) {
        Ok((book, upgrade)) => {
            if !upgrade.is_empty() {
                if let Err(e) = db.apply(ops(upgrade)).await {
                    crate::log::error("book.upgrade_failed", &e.message_en());
                    dispatcher.dispatch(Action::SaveFailed {
                        ja: e.message_ja(),
                        en: e.message_en(),
                    });
                }
            }
            let book = Rc::new(book);
            {
                let mut s = sync.borrow_mut();
                s.db = Some(db);
                s.stored = Some(Rc::clone(&book));
            }
            dispatcher.dispatch(Action::BookLoaded {
                book: (*book).clone(),
                stored: true,
            });
            let persistent = idb::request_persistence().await;
            dispatcher.dispatch(Action::Persistence(persistent));
        }
        Err(e) => {
            crate::log::error("book.unreadable", &e.log_detail());
            sync.borrow_mut().db = Some(db);
            dispatcher.dispatch(Action::BookUnreadable {
                ja: e.message_ja(),
                en: e.message_en(),
            });
        }
    }
}
