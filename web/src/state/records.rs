//! The clinic's book as the page holds it (患者, 施術録, 月次請求, 窓口会計 and 設定 all edit it):
//! the book, where it stands with the browser's database and the companion's durable copy,
//! the patient chosen on the 患者 and 施術録 screens, and why the last edit was refused.
//! Every change is one `Edit` applied all-or-nothing by `Book::apply`.

use crate::i18n::Lang;
use std::rc::Rc;
use ukemi_core::protocol::book::BookInfo;
use ukemi_core::records::sync::{BookSummary, TrailEntry};
use ukemi_core::records::{Applied, Book, Edit, Registration};

/// What the companion's durable copy offers when it does not simply follow this page's book.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Offer {
    #[default]
    None,
    /// This browser holds no book (or cannot read it) and the companion holds this one.
    Restore(BookSummary),
    /// The companion holds another book: never merged; the clinic chooses.
    Foreign(BookSummary),
    /// The companion holds this book as it was earlier (restored from a backup).
    Behind(BookSummary),
    /// The companion's book file is damaged (`durable.info.damaged` says why).
    Damaged,
}

/// The book's durable copy in the companion, as this page knows it (book.rs keeps it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Durable {
    /// Paired with a companion that keeps the book.
    pub connected: bool,
    /// Changes stored in this browser and not yet in the companion's copy.
    pub pending: usize,
    /// The last change the companion stored: its number and when (companion's clock).
    pub last_stored: Option<(u64, String)>,
    pub info: Option<BookInfo>,
    pub offer: Offer,
    pub trail: Option<Vec<TrailEntry>>,
    /// Busy restoring or fetching the companion's book.
    pub fetching: bool,
    /// The last thing the keeper said (Japanese, English), shown until the next.
    pub notice: Option<(String, String)>,
}

/// Where the clinic's book stands with the browser's database.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum BookStatus {
    #[default]
    Loading,
    /// Read and kept in step with the database.
    Stored,
    /// The trainer demo, or a browser without IndexedDB: kept in this page only.
    InMemory,
    /// The stored data could not be read: nothing is written until it is restored.
    Unreadable { ja: String, en: String },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Records {
    /// The clinic's book: patients, cases, visits, months, settings.
    pub book: Rc<Book>,
    pub book_status: BookStatus,
    /// The last time a change could not be saved (Japanese, English).
    pub save_error: Option<(String, String)>,
    /// Why the last edit was refused (Japanese, English), shown where it was made.
    pub edit_error: Option<(String, String)>,
    /// Every refused edit bumps this; `refused_kind` names the last one (no personal data),
    /// for the diagnostic log.
    pub refusals: u32,
    pub refused_kind: String,
    /// The patient chosen on the 患者 and 施術録 screens.
    pub patient: Option<String>,
    /// Bumped by every restore: the database is then replaced, not patched.
    pub restores: u32,
    /// Whether the browser promised not to evict our data.
    pub persistence: Option<crate::idb::Persistence>,
    /// The kind of the last applied edit (`Edit::kind`), for the change trail.
    pub last_edit: &'static str,
    pub durable: Durable,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    ChoosePatient(Option<String>),
    /// A change to the book.
    Edit(Edit),
    BookLoaded {
        book: Book,
        stored: bool,
    },
    BookUnreadable {
        ja: String,
        en: String,
    },
    SaveFailed {
        ja: String,
        en: String,
    },
    Saved,
    Persistence(crate::idb::Persistence),
    /// book.rs: where the durable copy stands.
    Durable(Box<Durable>),
    /// Something the book's keeper must say (a stale change not kept, a restore done).
    Notice {
        ja: String,
        en: String,
    },
}

/// What the app's reducer must do after this one.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    /// A sentence for the polite live region.
    pub announce: Option<String>,
    /// An edit registered check results: `Some(list)` when applied.
    pub registered: Option<Vec<Registration>>,
}

pub fn reduce(s: &mut Records, lang: Lang, action: Action) -> Outcome {
    let mut out = Outcome::default();
    match action {
        Action::ChoosePatient(p) => s.patient = p,
        Action::Edit(e) => return edit(s, lang, e),
        Action::BookLoaded { book, stored } => {
            s.book = Rc::new(book);
            s.book_status = if stored {
                BookStatus::Stored
            } else {
                BookStatus::InMemory
            };
        }
        Action::BookUnreadable { ja, en } => s.book_status = BookStatus::Unreadable { ja, en },
        Action::SaveFailed { ja, en } => {
            out.announce = Some(lang.t(&ja, &en).to_string());
            s.save_error = Some((ja, en));
        }
        Action::Saved => s.save_error = None,
        Action::Durable(d) => s.durable = *d,
        Action::Notice { ja, en } => out.announce = Some(lang.t(ja, en)),
        Action::Persistence(p) => s.persistence = Some(p),
    }
    out
}

/// Applies an edit to the book; a refusal is kept for the screen that made it.
fn edit(s: &mut Records, lang: Lang, edit: Edit) -> Outcome {
    let mut out = Outcome::default();
    let restore = matches!(edit, Edit::Restore(_));
    // Named before the edit, which removes them.
    let deleted = match &edit {
        Edit::DeletePatient { id } => s.book.patient(id).map(|p| (id.clone(), p.name.clone())),
        _ => None,
    };
    let mut book = (*s.book).clone();
    let kind = edit.kind();
    match book.apply(edit) {
        Ok(applied) => {
            s.book = Rc::new(book);
            s.last_edit = kind;
            s.edit_error = None;
            if let Some((id, name)) = deleted {
                if s.patient.as_ref() == Some(&id) {
                    s.patient = None;
                }
                out.announce = Some(lang.t(
                    format!("{name}さんの記録を削除しました。"),
                    format!("Deleted {name}'s record."),
                ));
            }
            if restore {
                s.restores += 1;
                if s.book_status != BookStatus::InMemory {
                    s.book_status = BookStatus::Stored;
                }
            }
            match applied {
                Applied::Registered(r) => {
                    out.announce = Some(registration_sentence(lang, &r));
                    if let Some(first) = r.first() {
                        s.patient = Some(first.patient_id.clone());
                    }
                    out.registered = Some(r);
                }
                Applied::Case(_) | Applied::Done => {}
            }
        }
        Err(e) => {
            s.refusals += 1;
            s.refused_kind = e.kind();
            out.announce = Some(lang.t(e.message_ja(), e.message_en()));
            s.edit_error = Some((e.message_ja(), e.message_en()));
        }
    }
    out
}

/// What the page says (shown and announced, word for word) about one registration.
pub fn registration_line(lang: Lang, r: &Registration) -> String {
    match (r.created, lang) {
        (true, Lang::Ja) => format!("{}さんを新しい患者として登録しました。", r.name),
        (true, Lang::En) => format!("Registered {} as a new patient.", r.name),
        (false, Lang::Ja) if !r.check_added => {
            format!("{}さんのこの確認は登録済みです（変更なし）。", r.name)
        }
        (false, Lang::En) if !r.check_added => {
            format!("{}'s check was already registered (no changes).", r.name)
        }
        (false, Lang::Ja) if r.older => format!(
            "{}さんの以前の確認を履歴に追加しました（現在の登録内容は変わりません）。",
            r.name
        ),
        (false, Lang::En) if r.older => format!(
            "Added an earlier check to {}'s history (current details unchanged).",
            r.name
        ),
        (false, Lang::Ja) if r.changes.is_empty() => format!(
            "{}さんは登録済みです（変更なし）。確認の履歴に追加しました。",
            r.name
        ),
        (false, Lang::En) if r.changes.is_empty() => format!(
            "{} is already registered (no changes); the check was added to the history.",
            r.name
        ),
        (false, Lang::Ja) => format!(
            "{}さんの登録内容を更新しました（変更{}件）。",
            r.name,
            r.changes.len()
        ),
        (false, Lang::En) => format!("Updated {} ({} changes).", r.name, r.changes.len()),
    }
}

fn registration_sentence(lang: Lang, r: &[Registration]) -> String {
    match (r, lang) {
        ([one], _) => registration_line(lang, one),
        (many, Lang::Ja) => format!("{}人の患者を登録・更新しました。", many.len()),
        (many, Lang::En) => format!("Registered or updated {} patients.", many.len()),
    }
}
