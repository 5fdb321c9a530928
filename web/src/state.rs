//! The page's state and the one reducer that changes it. Pure: no sending, no storage.

use crate::i18n::Lang;
use std::rc::Rc;
use ukemi_core::eligibility::EligibilityResult;
use ukemi_core::protocol::{
    CardInfo, CheckMode, ErrorCode, ErrorDetail, PersonaInfo, ProgressStep, ReaderInfo,
};
use ukemi_core::records::{Applied, Book, Edit, Registration};
use yew::Reducible;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Conn {
    #[default]
    Connecting,
    Connected {
        host: String,
    },
    /// Nothing answered: the companion is not running, or this page is not allowed.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Pairing {
    #[default]
    Unknown,
    /// Waiting for the code to be typed.
    NeedCode,
    Paired,
}

/// Which part of the page an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Pairing,
    Check,
    Insurance,
    Simulator,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub area: Area,
    pub code: ErrorCode,
    /// The companion's Japanese text.
    pub message_ja: String,
    pub detail: ErrorDetail,
}

/// The screens, each at its own `#hash` so a bookmark or the back button lands there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    #[default]
    Reception,
    Patients,
    Records,
    Claims,
    /// 窓口会計: the day's takings, 明細書・領収証, 日計表.
    Desk,
    Settings,
    Readiness,
}

impl Screen {
    pub const ALL: [Screen; 7] = [
        Screen::Reception,
        Screen::Patients,
        Screen::Records,
        Screen::Claims,
        Screen::Desk,
        Screen::Settings,
        Screen::Readiness,
    ];
    pub fn hash(self) -> &'static str {
        match self {
            Screen::Reception => "reception",
            Screen::Patients => "patients",
            Screen::Records => "records",
            Screen::Claims => "claims",
            Screen::Desk => "desk",
            Screen::Settings => "settings",
            Screen::Readiness => "readiness",
        }
    }
    pub fn from_hash(h: &str) -> Screen {
        let h = h.trim_start_matches('#');
        let name = h.split(['/', '?']).next().unwrap_or("");
        Screen::ALL
            .into_iter()
            .find(|s| s.hash() == name)
            .unwrap_or_default()
    }
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Screen::Reception => ("受付", "Reception"),
            Screen::Patients => ("患者", "Patients"),
            Screen::Records => ("施術録", "Treatment records"),
            Screen::Claims => ("月次請求", "Monthly claims"),
            Screen::Desk => ("窓口会計", "Front desk"),
            Screen::Settings => ("設定", "Settings"),
            Screen::Readiness => ("導入状況", "Readiness"),
        }
    }
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
pub struct State {
    pub lang: Lang,
    pub conn: Conn,
    pub pairing: Pairing,
    pub simulator: bool,
    /// The trainer demo (`?demo`): everything runs in the page.
    pub demo: bool,
    pub readers: Vec<ReaderInfo>,
    pub chosen_reader: Option<String>,
    pub personas: Vec<PersonaInfo>,
    pub mode: Option<CheckMode>,
    pub running: bool,
    pub progress: Option<ProgressStep>,
    pub failure: Option<Failure>,
    pub result: Option<EligibilityResult>,
    /// How many results the last import brought in.
    pub imported: Option<usize>,
    /// Bumped on every new result, so the view can move focus to it once.
    pub result_seq: u32,
    pub screen: Screen,
    /// The clinic's book: patients, cases, visits, months, settings.
    pub book: Rc<Book>,
    pub book_status: BookStatus,
    /// The last time a change could not be saved (Japanese, English).
    pub save_error: Option<(String, String)>,
    /// What the last registration did (new patient, or what changed).
    pub registered: Vec<Registration>,
    /// Whether `registered` came from an import (shown under the import, not the result).
    pub registered_by_import: bool,
    /// Why the last edit was refused (Japanese, English), shown where it was made.
    pub edit_error: Option<(String, String)>,
    /// Every refused edit bumps this; `refused_kind` names the last one (no personal data),
    /// for the diagnostic log.
    pub refusals: u32,
    pub refused_kind: String,
    /// A short sentence for the page's polite live region.
    pub announcement: String,
    /// The patient chosen on the 患者 and 施術録 screens.
    pub patient: Option<String>,
    /// Bumped by every restore: the database is then replaced, not patched.
    pub restores: u32,
    /// Whether the browser promised not to evict our data.
    pub persistence: Option<crate::idb::Persistence>,
    /// The companion's last `STATUS` (導入状況), and why the last `GET_STATUS` failed.
    pub status: Option<ukemi_core::protocol::CompanionStatus>,
    pub status_error: Option<(ErrorCode, ErrorDetail)>,
    /// Bumped by every answer to `GET_STATUS`, even one equal to the last.
    pub status_seq: u32,
}

pub enum Action {
    SetLang(Lang),
    Connecting,
    Connected {
        host: String,
        simulator: bool,
        need_pairing: bool,
    },
    Failed,
    NeedCode,
    Paired,
    Readers(Vec<ReaderInfo>),
    ReaderAdded(ReaderInfo),
    ReaderRemoved(String),
    Card {
        reader: String,
        card: Option<CardInfo>,
    },
    ChooseReader(String),
    Personas(Vec<PersonaInfo>),
    SetMode(CheckMode),
    Running,
    Progress(ProgressStep),
    Failure(Failure),
    Result(EligibilityResult),
    /// The shown result becomes a patient (or updates one); `at` is the page's clock.
    Register {
        at: String,
    },
    /// Results of checks made elsewhere: each becomes (or updates) a patient.
    Imported {
        results: Vec<EligibilityResult>,
        at: String,
    },
    Navigate(Screen),
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
    /// The answer to `GET_STATUS`, or its error.
    Status(Result<ukemi_core::protocol::CompanionStatus, (ErrorCode, ErrorDetail)>),
}

impl State {
    /// The reader checks go to: the chosen one if present, else the first with a card, else the first.
    pub fn reader(&self) -> Option<&ReaderInfo> {
        self.chosen_reader
            .as_ref()
            .and_then(|n| self.readers.iter().find(|r| &r.name == n))
            .or_else(|| self.readers.iter().find(|r| r.card.is_some()))
            .or_else(|| self.readers.first())
    }

    pub fn card(&self) -> Option<&CardInfo> {
        self.reader().and_then(|r| r.card.as_ref())
    }
}

impl State {
    /// Applies an edit to the book; a refusal is kept for the screen that made it.
    fn edit(&mut self, edit: Edit) {
        let restore = matches!(edit, Edit::Restore(_));
        // Named before the edit, which removes them.
        let deleted = match &edit {
            Edit::DeletePatient { id } => {
                self.book.patient(id).map(|p| (id.clone(), p.name.clone()))
            }
            _ => None,
        };
        let mut book = (*self.book).clone();
        match book.apply(edit) {
            Ok(applied) => {
                self.book = Rc::new(book);
                self.edit_error = None;
                if let Some((id, name)) = deleted {
                    if self.patient.as_ref() == Some(&id) {
                        self.patient = None;
                    }
                    self.announcement = match self.lang {
                        Lang::Ja => format!("{name}さんの記録を削除しました。"),
                        Lang::En => format!("Deleted {name}'s record."),
                    };
                }
                if restore {
                    self.restores += 1;
                    if self.book_status != BookStatus::InMemory {
                        self.book_status = BookStatus::Stored;
                    }
                }
                match applied {
                    Applied::Registered(r) => {
                        self.announcement = registration_sentence(self.lang, &r);
                        if let Some(first) = r.first() {
                            self.patient = Some(first.patient_id.clone());
                        }
                        self.registered = r;
                    }
                    Applied::Case(_) | Applied::Done => {}
                }
            }
            Err(e) => {
                self.refusals += 1;
                self.refused_kind = e.kind();
                self.announcement = match self.lang {
                    Lang::Ja => e.message_ja(),
                    Lang::En => e.message_en(),
                };
                self.edit_error = Some((e.message_ja(), e.message_en()));
            }
        }
    }
}

fn registration_sentence(lang: Lang, r: &[Registration]) -> String {
    match (r, lang) {
        ([one], Lang::Ja) if one.created => {
            format!("{}さんを新しい患者として登録しました。", one.name)
        }
        ([one], Lang::Ja) => format!(
            "{}さんの情報を更新しました（変更{}件）。",
            one.name,
            one.changes.len()
        ),
        ([one], Lang::En) if one.created => format!("Registered {} as a new patient.", one.name),
        ([one], Lang::En) => format!("Updated {} ({} changes).", one.name, one.changes.len()),
        (many, Lang::Ja) => format!("{}人の患者を登録・更新しました。", many.len()),
        (many, Lang::En) => format!("Registered or updated {} patients.", many.len()),
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetLang(l) => s.lang = l,
            Action::Connecting => {
                s.conn = Conn::Connecting;
                s.running = false;
                s.progress = None;
            }
            Action::Connected {
                host,
                simulator,
                need_pairing,
            } => {
                s.conn = Conn::Connected { host };
                s.simulator = simulator;
                s.pairing = if need_pairing {
                    Pairing::Unknown
                } else {
                    Pairing::Paired
                };
            }
            Action::Failed => {
                s.conn = Conn::Failed;
                s.readers.clear();
            }
            Action::NeedCode => s.pairing = Pairing::NeedCode,
            Action::Paired => {
                s.pairing = Pairing::Paired;
                if s.failure.as_ref().is_some_and(|f| f.area == Area::Pairing) {
                    s.failure = None;
                }
            }
            Action::Readers(r) => s.readers = r,
            Action::ReaderAdded(r) => {
                s.readers.retain(|x| x.name != r.name);
                s.readers.push(r);
            }
            Action::ReaderRemoved(name) => s.readers.retain(|x| x.name != name),
            Action::Card { reader, card } => {
                if let Some(r) = s.readers.iter_mut().find(|r| r.name == reader) {
                    r.card = card;
                }
            }
            Action::ChooseReader(name) => s.chosen_reader = Some(name),
            Action::Personas(p) => s.personas = p,
            Action::SetMode(m) => {
                s.mode = Some(m);
                s.failure = None;
            }
            Action::Running => {
                s.running = true;
                s.progress = None;
                s.failure = None;
            }
            Action::Progress(p) => s.progress = Some(p),
            Action::Failure(f) => {
                if f.area != Area::Pairing {
                    s.running = false;
                    s.progress = None;
                }
                s.failure = Some(f);
            }
            Action::Result(r) => {
                s.running = false;
                s.progress = None;
                s.failure = None;
                s.result = Some(r);
                s.result_seq += 1;
                s.registered.clear();
            }
            Action::Register { at } => {
                if let Some(result) = s.result.clone() {
                    s.registered_by_import = false;
                    s.edit(Edit::RegisterCheck { result, at });
                }
            }
            Action::Imported { results, at } => {
                s.imported = Some(results.len());
                s.registered_by_import = true;
                s.edit(Edit::RegisterChecks { results, at });
            }
            Action::Navigate(screen) => {
                s.screen = screen;
                s.edit_error = None;
            }
            Action::ChoosePatient(p) => s.patient = p,
            Action::Edit(e) => s.edit(e),
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
                s.announcement = match s.lang {
                    Lang::Ja => ja.clone(),
                    Lang::En => en.clone(),
                };
                s.save_error = Some((ja, en));
            }
            Action::Saved => s.save_error = None,
            Action::Persistence(p) => s.persistence = Some(p),
            Action::Status(answer) => {
                s.status_seq += 1;
                match answer {
                    Ok(st) => {
                        s.status = Some(st);
                        s.status_error = None;
                    }
                    Err(e) => s.status_error = Some(e),
                }
            }
        }
        Rc::new(s)
    }
}
