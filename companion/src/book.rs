//! The book thread: the only one that touches the book file. Pages' `BOOK_*` commands
//! arrive on its channel in order; between them it takes the daily backup when one is due.
//! A change arrives in pieces and is applied whole; a stored change is announced to every
//! paired page (`BOOK_CHANGED`). Logs say which change, what kind, from which screen, how
//! many records — never their content.

use crate::backups::{self, Backups, Clock};
use crate::durable::{self, Durable, Outcome};
use crate::hub::Hub;
use crate::session::Outbox;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use ukemi_core::protocol::book::BookInfo;
use ukemi_core::protocol::{Command, ErrorCode, ErrorDetail, Message, ServerMessage};
use ukemi_core::records::sync::{self, Change};

/// The most a change may hold while its pieces arrive.
const MAX_CHANGE_BYTES: usize = 256 * 1024 * 1024;

pub struct Request {
    pub conn: u64,
    pub req: Option<u64>,
    pub origin: String,
    pub command: Command,
    pub reply: Outbox,
}

pub enum Input {
    Request(Request),
    /// The page left: its half-sent change goes.
    Gone(u64),
    /// The companion's backup page asks what there is (backup_page.rs).
    Backups(Sender<BackupView>),
    /// The companion's backup page sets (or clears) the second folder: the answer is the
    /// first copy written there, or why it could not be.
    SetSecond {
        second: Option<backups::SecondFolder>,
        reply: Sender<Result<Option<String>, String>>,
    },
}

/// What the backup page shows.
pub struct BackupView {
    pub data: PathBuf,
    /// The second folder, when one is set (never its passphrase).
    pub second: Option<PathBuf>,
    /// Newest first.
    pub backups: Vec<ukemi_core::protocol::book::BackupEntry>,
}

struct Staged {
    change: String,
    next: u32,
    text: String,
}

struct Keeper {
    path: PathBuf,
    book: Result<Durable, String>,
    backups: Backups,
    clock: Clock,
    hub: Hub,
    staged: HashMap<u64, Staged>,
}

/// Starts the book thread for the data folder `data`. `tick`: how often it looks whether a
/// backup is due.
pub fn spawn(
    data: &Path,
    clock: Clock,
    hub: Hub,
    tick: Duration,
) -> std::io::Result<Sender<Input>> {
    let path = data.join(durable::FILE);
    let book = Durable::open(&path).map_err(|e| damaged_text(&e));
    match &book {
        Ok(b) => crate::info!(
            "book: {} (last change {})",
            path.display(),
            b.seq().unwrap_or(0)
        ),
        Err(_) => crate::warn!(
            "book: {} cannot be used; it is left as it is and nothing is written to it until a backup is restored (ukemi-companion backup list / restore)",
            path.display()
        ),
    }
    let keeper = Keeper {
        path,
        book,
        backups: Backups::new(data),
        clock,
        hub,
        staged: HashMap::new(),
    };
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("book".into())
        .spawn(move || keeper.run(rx, tick))?;
    Ok(tx)
}

fn damaged_text(e: &str) -> String {
    // SQLite's words for what is wrong with the file (no record content: it has none).
    let e: String = e.chars().filter(|c| !c.is_control()).take(200).collect();
    format!(
        "台帳ファイル（{}）が壊れています（{e}）。ファイルはそのまま残しています。",
        durable::FILE
    )
}

fn reply(r: &Request, body: Message) {
    r.reply.send(ServerMessage { req: r.req, body });
}

fn error(r: &Request, code: ErrorCode) {
    reply(r, Message::error(code, ErrorDetail::default()));
}

impl Keeper {
    fn run(mut self, rx: Receiver<Input>, tick: Duration) {
        self.backup_if_due();
        let mut next = Instant::now() + tick;
        loop {
            let wait = next.saturating_duration_since(Instant::now());
            match rx.recv_timeout(wait) {
                Ok(Input::Request(r)) => self.handle(r),
                Ok(Input::Gone(conn)) => {
                    self.staged.remove(&conn);
                }
                Ok(Input::Backups(reply)) => {
                    let _ = reply.send(BackupView {
                        data: self.data(),
                        second: self.backups.second.as_ref().map(|s| s.folder.clone()),
                        backups: self.backups.list().into_iter().map(|(_, e)| e).collect(),
                    });
                }
                Ok(Input::SetSecond { second, reply }) => {
                    let _ = reply.send(self.set_second(second));
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.backup_if_due();
                    next = Instant::now() + tick;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }

    fn data(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    fn set_second(
        &mut self,
        second: Option<backups::SecondFolder>,
    ) -> Result<Option<String>, String> {
        let data = self.data();
        let folder = second.as_ref().map(|s| s.folder.display().to_string());
        let book = self
            .book
            .as_ref()
            .ok()
            .filter(|b| matches!(b.book_id(), Ok(Some(_))));
        let r = self
            .backups
            .set_second(&data, second, book, &self.clock.now());
        match (&r, folder) {
            (Ok(first), Some(f)) => crate::info!(
                "backup: second folder set on the backup page: {f} (first copy: {})",
                first.as_deref().unwrap_or("none, no book yet")
            ),
            (Ok(_), None) => crate::info!("backup: second folder cleared on the backup page"),
            (Err(e), _) => crate::warn!("backup: second folder not set: {e}"),
        }
        r
    }

    fn backup_if_due(&self) {
        let Ok(book) = &self.book else {
            return;
        };
        if !matches!(book.book_id(), Ok(Some(_))) {
            return; // no book yet: nothing to keep
        }
        match self.backups.daily(book, &self.clock.now()) {
            Ok(names) if names.is_empty() => {}
            Ok(names) => crate::info!("backup: {}", names.join(", ")),
            Err(e) => crate::warn!("backup failed: {e}"),
        }
    }

    fn handle(&mut self, r: Request) {
        match &r.command {
            Command::BookInfo => {
                let info = self.info();
                reply(&r, Message::BookInfo(Box::new(info)));
            }
            Command::BookPush {
                change,
                part,
                parts,
                data,
            } => {
                let (change, part, parts, data) = (change.clone(), *part, *parts, data.clone());
                self.push(&r, change, part, parts, data)
            }
            Command::BookPull => self.pull(&r),
            Command::BookTrail { before, limit } => match &self.book {
                Ok(b) => match b.trail(*before, *limit) {
                    Ok(entries) => reply(&r, Message::BookTrail { entries }),
                    Err(e) => {
                        crate::warn!("book: trail unreadable: {e}");
                        error(&r, ErrorCode::BookUnavailable)
                    }
                },
                Err(_) => error(&r, ErrorCode::BookUnavailable),
            },
            Command::BackupRestore { name } => {
                let name = name.clone();
                self.restore(&r, &name)
            }
            _ => error(&r, ErrorCode::Internal),
        }
    }

    fn info(&self) -> BookInfo {
        let mut backups: Vec<_> = self.backups.list().into_iter().map(|(_, e)| e).collect();
        backups.truncate(60);
        match &self.book {
            Ok(b) => BookInfo {
                book: b.summary().unwrap_or_else(|e| {
                    crate::warn!("book: summary: {e}");
                    None
                }),
                damaged: None,
                backups,
                second_folder: self.backups.second.is_some(),
            },
            Err(why) => {
                // The latest good backup, read through, so the page can offer it.
                if let Some((_, good)) = self.backups.latest_good() {
                    if let Some(e) = backups.iter_mut().find(|e| e.name == good.name) {
                        *e = good;
                    }
                }
                BookInfo {
                    book: None,
                    damaged: Some(why.clone()),
                    backups,
                    second_folder: self.backups.second.is_some(),
                }
            }
        }
    }

    fn push(&mut self, r: &Request, id: String, part: u32, parts: u32, data: String) {
        if self.book.is_err() {
            self.staged.remove(&r.conn);
            return error(r, ErrorCode::BookUnavailable);
        }
        let staged = if part == 0 {
            self.staged.insert(
                r.conn,
                Staged {
                    change: id.clone(),
                    next: 0,
                    text: String::new(),
                },
            );
            self.staged.get_mut(&r.conn)
        } else {
            self.staged.get_mut(&r.conn)
        };
        let Some(staged) = staged.filter(|s| s.change == id && s.next == part && part < parts)
        else {
            self.staged.remove(&r.conn);
            crate::info!("conn={} book: piece {part}/{parts} out of order", r.conn);
            return reply(
                r,
                Message::error(ErrorCode::InvalidMessage, ErrorDetail::field("part")),
            );
        };
        if staged.text.len() + data.len() > MAX_CHANGE_BYTES {
            self.staged.remove(&r.conn);
            return error(r, ErrorCode::MessageTooLarge);
        }
        staged.text.push_str(&data);
        staged.next += 1;
        if staged.next < parts {
            return reply(r, Message::Ok);
        }
        let Some(staged) = self.staged.remove(&r.conn) else {
            return error(r, ErrorCode::Internal);
        };
        let change: Change = match serde_json::from_str(&staged.text) {
            Ok(c) => c,
            Err(_) => {
                crate::info!("conn={} book: change {id} does not read", r.conn);
                return reply(
                    r,
                    Message::error(ErrorCode::InvalidMessage, ErrorDetail::field("data")),
                );
            }
        };
        if change.id != id {
            return reply(
                r,
                Message::error(ErrorCode::InvalidMessage, ErrorDetail::field("change")),
            );
        }
        self.apply(r, &change);
    }

    fn apply(&mut self, r: &Request, change: &Change) {
        let now = self.clock.now();
        let Ok(book) = &mut self.book else {
            return error(r, ErrorCode::BookUnavailable);
        };
        if change.replace && matches!(book.book_id(), Ok(Some(_))) {
            // What is replaced is kept: a restore in the page can be undone here.
            match self.backups.before_replace(book, &now) {
                Ok(name) => crate::info!("backup before replacing the book: {name}"),
                Err(e) => {
                    crate::warn!("book: not replaced, the backup before it failed: {e}");
                    return error(r, ErrorCode::BookUnavailable);
                }
            }
        }
        match book.apply(change, &r.origin, &now.at) {
            Ok(Outcome::Stored { seq, stored_at }) => {
                crate::info!(
                    "conn={} book: stored change seq={seq} kind={:.32} screen={:.16} records={}{}",
                    r.conn,
                    change.kind,
                    change.screen,
                    change.writes.len(),
                    if change.replace { " (replace)" } else { "" }
                );
                reply(
                    r,
                    Message::BookStored {
                        change: change.id.clone(),
                        seq,
                        stored_at,
                    },
                );
                self.hub.publish(Message::BookChanged { seq });
            }
            Ok(Outcome::Again { seq, stored_at }) => reply(
                r,
                Message::BookStored {
                    change: change.id.clone(),
                    seq,
                    stored_at,
                },
            ),
            Ok(Outcome::Stale(records)) => {
                crate::info!(
                    "conn={} book: stale change kind={:.32} ({} record(s) changed since)",
                    r.conn,
                    change.kind,
                    records.len()
                );
                reply(
                    r,
                    Message::BookStale {
                        change: change.id.clone(),
                        records,
                    },
                )
            }
            Ok(Outcome::Mismatch) => {
                crate::info!("conn={} book: change for another book refused", r.conn);
                error(r, ErrorCode::BookMismatch)
            }
            Err(e) => {
                crate::warn!("book: change not stored: {e}");
                error(r, ErrorCode::BookUnavailable)
            }
        }
    }

    fn pull(&self, r: &Request) {
        let Ok(book) = &self.book else {
            return error(r, ErrorCode::BookUnavailable);
        };
        let text = match book.snapshot() {
            Ok(s) => serde_json::to_string(&s).unwrap_or_default(),
            Err(e) => {
                crate::warn!("book: snapshot: {e}");
                return error(r, ErrorCode::BookUnavailable);
            }
        };
        let pieces = sync::pieces(&text, sync::PIECE_BYTES);
        let parts = pieces.len() as u32;
        for (i, p) in pieces.into_iter().enumerate() {
            reply(
                r,
                Message::BookData {
                    part: i as u32,
                    parts,
                    data: p.to_string(),
                },
            );
        }
    }

    fn restore(&mut self, r: &Request, name: &str) {
        let Some(path) = self.backups.find(name) else {
            return error(r, ErrorCode::BackupNotFound);
        };
        let pass = self.backups.second.as_ref().map(|s| s.passphrase.clone());
        // The file is closed before it is moved aside.
        self.book = Err("restoring".into());
        let now = self.clock.now();
        let result = backups::restore(&path, pass.as_deref().map(|s| s.as_str()), &self.path, &now);
        self.book = Durable::open(&self.path).map_err(|e| damaged_text(&e));
        match result {
            Ok(_) => {
                crate::info!("book: restored from backup {name}");
                reply(r, Message::Ok);
                let seq = self
                    .book
                    .as_ref()
                    .ok()
                    .and_then(|b| b.seq().ok())
                    .unwrap_or(0);
                self.hub.publish(Message::BookChanged { seq });
            }
            Err(e) => {
                crate::warn!("book: backup {name} not restored: {e}");
                error(r, ErrorCode::BookUnavailable)
            }
        }
    }
}
