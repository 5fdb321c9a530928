//! The page's state and the one reducer that changes it. Pure: no sending, no storage.

use crate::i18n::Lang;
use std::rc::Rc;
use ukemi_core::eligibility::EligibilityResult;
use ukemi_core::protocol::book::BookInfo;
use ukemi_core::protocol::{
    CardInfo, CheckMode, ErrorCode, ErrorDetail, PersonaInfo, ProgressStep, ReaderInfo,
};
use ukemi_core::records::sync::{BookSummary, TrailEntry};
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
    /// Not paired and no request waiting (refused, expired, or slowed down): the page
    /// offers to ask again.
    NotPaired,
    /// A pairing request waits for a person at this PC to approve it on the companion's
    /// approval page, which shows the same `code`.
    Waiting {
        code: String,
        approve_url: String,
    },
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
    /// The page's own English text, when it found the error itself (else the code's).
    pub message_en: Option<String>,
    pub detail: ErrorDetail,
}

impl Failure {
    /// The text in the page's language.
    pub fn message(&self, lang: Lang) -> String {
        if self.code == ErrorCode::ServiceError {
            return service_error_text(lang, &self.detail);
        }
        match (lang, &self.message_en) {
            (Lang::Ja, _) => self.message_ja.clone(),
            (Lang::En, Some(en)) => en.clone(),
            (Lang::En, None) => self.code.message_en(&self.detail),
        }
    }
}

/// The service's error in the clinic's words. The service's own message is shown as it
/// came (it is written for clinics); the companion's internal codes (`E-PARSE`) are put in
/// plain words, and any code is kept last, labelled as the number to quote to support.
fn service_error_text(lang: Lang, d: &ErrorDetail) -> String {
    let ja = lang == Lang::Ja;
    let code = d.service_code.as_deref().unwrap_or("");
    let what = match (code, ja) {
        ("E-PARSE", true) => "資格確認サービスからの応答を読み取れませんでした。".to_string(),
        ("E-PARSE", false) => "The eligibility service's answer could not be read.".to_string(),
        (c, true) if c.starts_with("E-CERT") || c == "E-SIGNATURE" || c == "E-CHALLENGE" => {
            "カードの電子証明書を資格確認サービスで確認できませんでした。".to_string()
        }
        (c, false) if c.starts_with("E-CERT") || c == "E-SIGNATURE" || c == "E-CHALLENGE" => {
            "The eligibility service could not verify the card's certificate.".to_string()
        }
        (_, true) => match d
            .service_message
            .as_deref()
            .filter(|m| !m.trim().is_empty())
        {
            Some(m) => format!("資格確認サービスがエラーを返しました：{m}。"),
            None => "資格確認サービスがエラーを返しました。".to_string(),
        },
        (_, false) => "The eligibility service returned an error.".to_string(),
    };
    let again = if ja {
        "時間をおいて再度お試しください。"
    } else {
        " Try again later."
    };
    match (code.is_empty(), ja) {
        (true, _) => format!("{what}{again}"),
        (false, true) => format!("{what}{again}（問い合わせ用の番号：{code}）"),
        (false, false) => format!("{what}{again} (code for support: {code})"),
    }
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
pub struct State {
    pub lang: Lang,
    pub conn: Conn,
    pub pairing: Pairing,
    pub simulator: bool,
    /// The trainer demo (`?demo`): everything runs in the page.
    pub demo: bool,
    pub readers: Vec<ReaderInfo>,
    /// The companion has listed its readers since the last (re)connection: until then "no
    /// reader" would be a false alarm.
    pub readers_listed: bool,
    pub chosen_reader: Option<String>,
    pub personas: Vec<PersonaInfo>,
    pub mode: Option<CheckMode>,
    pub running: bool,
    pub progress: Option<ProgressStep>,
    pub failure: Option<Failure>,
    pub result: Option<EligibilityResult>,
    /// How many results the last import brought in.
    pub imported: Option<usize>,
    /// Results of checks made elsewhere, waiting for staff to review them before they are
    /// applied (nothing is created or changed until then).
    pub import_review: Option<Vec<EligibilityResult>>,
    /// Bumped on every new result, so the view can move focus to it once, and so a
    /// registration names the very result it was asked for.
    pub result_seq: u32,
    /// The `result_seq` of the result last registered: that result offers no second press.
    pub registered_seq: Option<u32>,
    /// Who that result was registered as (id, name): its 施術録 button opens them, whatever
    /// an import registers afterwards.
    pub registered_patient: Option<(String, String)>,
    /// Bumped when a check fails, so the view can move the focus to the error once.
    pub failure_seq: u32,
    /// Bumped when a card is put in, so the view can move the focus to the PIN once.
    pub card_seq: u32,
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
    /// The kind of the last applied edit (`Edit::kind`), for the change trail.
    pub last_edit: &'static str,
    pub durable: Durable,
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
    NotPaired,
    PairingPending {
        code: String,
        approve_url: String,
    },
    Paired,
    Readers(Vec<ReaderInfo>),
    ReaderAdded(ReaderInfo),
    ReaderRemoved(String),
    Card {
        reader: String,
        card: Option<CardInfo>,
        /// A card was just put in (not a status refresh of one already there).
        inserted: bool,
    },
    ChooseReader(String),
    Personas(Vec<PersonaInfo>),
    SetMode(CheckMode),
    Running,
    Progress(ProgressStep),
    Failure(Failure),
    Result(EligibilityResult),
    /// The shown result becomes a patient (or updates one); `at` is the page's clock. `seq`
    /// is the `result_seq` the button was shown for: a result replaced since is never
    /// registered. `qualification` is the one staff chose (`None`: the one in force), and
    /// `address` (住所, 郵便番号) what staff typed when the service had none.
    Register {
        seq: u32,
        qualification: Option<usize>,
        address: Option<(String, String)>,
        at: String,
    },
    /// Results of checks made elsewhere, to be reviewed before anything changes.
    Imported(Vec<EligibilityResult>),
    /// The reviewed import is applied: each result becomes (or updates) a patient.
    ApplyImport {
        at: String,
    },
    CancelImport,
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
    /// A sentence for the polite live region (what the page just showed, in its words).
    Announce(String),
    /// The answer to `GET_STATUS`, or its error.
    Status(Result<ukemi_core::protocol::CompanionStatus, (ErrorCode, ErrorDetail)>),
    /// book.rs: where the durable copy stands.
    Durable(Box<Durable>),
    /// Something the book's keeper must say (a stale change not kept, a restore done).
    Notice {
        ja: String,
        en: String,
    },
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
    fn clear_result(&mut self) {
        self.result = None;
        self.registered.clear();
        self.registered_seq = None;
        self.registered_patient = None;
        self.imported = None;
    }

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
        let kind = edit.kind();
        match book.apply(edit) {
            Ok(applied) => {
                self.book = Rc::new(book);
                self.last_edit = kind;
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

/// What the page says (shown and announced, word for word) about one registration.
pub fn registration_line(lang: Lang, r: &Registration) -> String {
    let ja = lang == Lang::Ja;
    match (r.created, ja) {
        (true, true) => format!("{}さんを新しい患者として登録しました。", r.name),
        (true, false) => format!("Registered {} as a new patient.", r.name),
        (false, true) if !r.check_added => {
            format!("{}さんのこの確認は登録済みです（変更なし）。", r.name)
        }
        (false, false) if !r.check_added => {
            format!("{}'s check was already registered (no changes).", r.name)
        }
        (false, true) if r.older => format!(
            "{}さんの以前の確認を履歴に追加しました（現在の登録内容は変わりません）。",
            r.name
        ),
        (false, false) if r.older => format!(
            "Added an earlier check to {}'s history (current details unchanged).",
            r.name
        ),
        (false, true) if r.changes.is_empty() => format!(
            "{}さんは登録済みです（変更なし）。確認の履歴に追加しました。",
            r.name
        ),
        (false, false) if r.changes.is_empty() => format!(
            "{} is already registered (no changes); the check was added to the history.",
            r.name
        ),
        (false, true) => format!(
            "{}さんの登録内容を更新しました（変更{}件）。",
            r.name,
            r.changes.len()
        ),
        (false, false) => format!("Updated {} ({} changes).", r.name, r.changes.len()),
    }
}

fn registration_sentence(lang: Lang, r: &[Registration]) -> String {
    match (r, lang) {
        ([one], _) => registration_line(lang, one),
        (many, Lang::Ja) => format!("{}人の患者を登録・更新しました。", many.len()),
        (many, Lang::En) => format!("Registered or updated {} patients.", many.len()),
    }
}

/// The check's outcome as one sentence: validity first, then whose (the same words the
/// result panel shows).
pub fn result_sentence(lang: Lang, r: &EligibilityResult) -> String {
    let name = r.primary().map(|q| q.name.clone()).unwrap_or_default();
    match (lang, name.is_empty()) {
        (Lang::Ja, false) => format!("資格確認結果：{}。{}さん。", r.validity.label_ja(), name),
        (Lang::Ja, true) => format!("資格確認結果：{}。", r.validity.label_ja()),
        (Lang::En, false) => format!("Eligibility result: {}. {}.", r.validity.label_en(), name),
        (Lang::En, true) => format!("Eligibility result: {}.", r.validity.label_en()),
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
                s.readers_listed = false;
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
                s.readers_listed = false;
            }
            Action::NotPaired => s.pairing = Pairing::NotPaired,
            Action::PairingPending { code, approve_url } => {
                s.pairing = Pairing::Waiting { code, approve_url };
                if s.failure.as_ref().is_some_and(|f| f.area == Area::Pairing) {
                    s.failure = None;
                }
            }
            Action::Paired => {
                s.pairing = Pairing::Paired;
                if s.failure.as_ref().is_some_and(|f| f.area == Area::Pairing) {
                    s.failure = None;
                }
            }
            Action::Readers(r) => {
                s.readers = r;
                s.readers_listed = true;
            }
            Action::ReaderAdded(r) => {
                s.readers.retain(|x| x.name != r.name);
                s.readers.push(r);
            }
            Action::ReaderRemoved(name) => s.readers.retain(|x| x.name != name),
            Action::Card {
                reader,
                card,
                inserted,
            } => {
                if let Some(r) = s.readers.iter_mut().find(|r| r.name == reader) {
                    r.card = card;
                }
                if inserted {
                    s.card_seq += 1;
                }
            }
            Action::ChooseReader(name) => s.chosen_reader = Some(name),
            Action::Personas(p) => s.personas = p,
            Action::SetMode(m) => {
                s.mode = Some(m);
                s.failure = None;
            }
            Action::Running => {
                // A new check: the last patient's result (and its register button) go at
                // once, so nothing of theirs stays on screen under this check's outcome.
                s.running = true;
                s.progress = None;
                s.failure = None;
                s.clear_result();
                // Said (and shown) at the start of every check, so the same result twice
                // is still announced twice.
                s.announcement = match s.lang {
                    Lang::Ja => "確認を始めています…".into(),
                    Lang::En => "Starting the check…".into(),
                };
            }
            Action::Progress(p) => {
                // Each step once; the same step again says nothing new.
                if s.progress != Some(p) {
                    s.announcement = match s.lang {
                        Lang::Ja => format!("{}…", p.label_ja()),
                        Lang::En => format!("{}…", p.label_en()),
                    };
                }
                s.progress = Some(p);
            }
            Action::Failure(f) => {
                if f.area != Area::Pairing {
                    s.running = false;
                    s.progress = None;
                }
                if matches!(f.area, Area::Check | Area::Insurance) {
                    s.clear_result();
                    s.failure_seq += 1;
                    // The error itself is an alert where it is shown; the polite region
                    // must not still say "checking…" over it.
                    s.announcement.clear();
                }
                s.failure = Some(f);
            }
            Action::Result(r) => {
                s.running = false;
                s.progress = None;
                s.failure = None;
                s.announcement = result_sentence(s.lang, &r);
                s.result = Some(r);
                s.result_seq += 1;
                s.registered.clear();
                s.registered_seq = None;
                s.registered_patient = None;
            }
            Action::Register {
                seq,
                qualification,
                address,
                at,
            } => {
                let current = s.result.clone().filter(|_| seq == s.result_seq);
                if let (Some(mut result), None) = (current, s.registered_seq) {
                    if let Some((addr, postal)) = address {
                        let i = qualification.or_else(|| result.default_choice());
                        if let Some(q) = i.and_then(|i| result.qualifications.get_mut(i)) {
                            q.address = Some(addr).filter(|a| !a.trim().is_empty());
                            q.postal_code = Some(postal).filter(|p| !p.trim().is_empty());
                        }
                    }
                    s.registered_by_import = false;
                    let before = s.refusals;
                    s.edit(Edit::RegisterCheck {
                        result,
                        qualification,
                        at,
                    });
                    if s.refusals == before {
                        s.registered_seq = Some(seq);
                        s.registered_patient = s
                            .registered
                            .first()
                            .map(|r| (r.patient_id.clone(), r.name.clone()));
                    }
                }
            }
            Action::Imported(results) => {
                s.imported = None;
                s.registered.clear();
                s.import_review = Some(results);
            }
            Action::ApplyImport { at } => {
                if let Some(results) = s.import_review.take() {
                    s.imported = Some(results.len());
                    s.registered_by_import = true;
                    s.edit(Edit::RegisterChecks { results, at });
                }
            }
            Action::CancelImport => s.import_review = None,
            Action::Navigate(screen) => {
                if s.screen != screen {
                    // What was said about the last screen is not said again on this one.
                    s.announcement.clear();
                }
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
            Action::Durable(d) => s.durable = *d,
            Action::Notice { ja, en } => {
                s.announcement = match s.lang {
                    Lang::Ja => ja,
                    Lang::En => en,
                };
            }
            Action::Persistence(p) => s.persistence = Some(p),
            Action::Announce(text) => s.announcement = text,
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
