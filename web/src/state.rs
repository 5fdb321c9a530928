//! The page's state and the one reducer that changes it. Pure: no sending, no storage.

use crate::i18n::Lang;
use std::rc::Rc;
use ukemi_core::eligibility::EligibilityResult;
use ukemi_core::protocol::{
    CardInfo, CheckMode, ErrorCode, ErrorDetail, PersonaInfo, ProgressStep, ReaderInfo,
};
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

#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    pub result: EligibilityResult,
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
    pub patients: Vec<Patient>,
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
    Register,
    /// Results of checks made elsewhere: each becomes (or updates) a patient.
    Imported(Vec<EligibilityResult>),
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
    /// Adds a patient, replacing an earlier record of the same person (name and birthdate):
    /// the newer check carries the current insurance and address.
    fn register(&mut self, r: EligibilityResult) {
        let key = r.primary().map(|q| (q.name.clone(), q.birthdate));
        self.patients
            .retain(|p| p.result.primary().map(|q| (q.name.clone(), q.birthdate)) != key);
        self.patients.push(Patient { result: r });
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
            }
            Action::Register => {
                if let Some(r) = s.result.clone() {
                    s.register(r);
                }
            }
            Action::Imported(results) => {
                s.imported = Some(results.len());
                for r in results.into_iter().filter(|r| r.primary().is_some()) {
                    s.register(r);
                }
            }
        }
        Rc::new(s)
    }
}
