//! The protocol driver: turns what the companion says into reducer actions and sends the
//! follow-up commands (AUTH with a kept token, the reader list after pairing, the PIN tries
//! when a card arrives). Components send through [`Ctl`]. Nothing sent is ever logged.

use crate::link::{Link, LinkEvent};
use crate::state::{Action, Area, Failure};
use crate::storage;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use ukemi_core::protocol::{CardKind, Command, ErrorCode, Message, PairingState, ServerMessage};
use yew::prelude::*;

/// What a pending request was, so its answer or error lands in the right place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Hello,
    Pair,
    Auth,
    Readers,
    CardStatus,
    Check,
    Insurance,
    Import,
    Sim,
    Status,
    Other,
}

fn kind_of(c: &Command) -> Kind {
    match c {
        Command::Hello { .. } => Kind::Hello,
        Command::Pair { .. } => Kind::Pair,
        Command::Auth { .. } => Kind::Auth,
        Command::GetReaders => Kind::Readers,
        Command::GetCardStatus { .. } => Kind::CardStatus,
        Command::CheckByCard { .. } => Kind::Check,
        Command::CheckByInsurance { .. } => Kind::Insurance,
        Command::ImportResults { .. } => Kind::Import,
        Command::SimListPersonas | Command::SimInsertCard { .. } | Command::SimRemoveCard => {
            Kind::Sim
        }
        Command::GetStatus => Kind::Status,
        Command::Unpair => Kind::Other,
    }
}

struct Inner {
    link: Option<Link>,
    host: String,
    pending: HashMap<u64, Kind>,
    dispatch: Callback<Action>,
    retry_ms: u32,
    /// The pending automatic retry; dropping it cancels it, so there is never more than one.
    retry: Option<gloo_timers::callback::Timeout>,
    simulator: bool,
    /// The reader of the last check, whose PIN tries are read again after it.
    check_reader: Option<String>,
    /// The request of the latest check: only its answer is shown (an answer to an earlier
    /// check that arrives late belongs to another patient).
    check_req: Option<u64>,
}

#[derive(Clone)]
pub struct Driver {
    inner: Rc<RefCell<Inner>>,
}

/// What components use: send a command, or reconnect.
#[derive(Clone, PartialEq)]
pub struct Ctl {
    pub send: Callback<Command>,
    pub reconnect: Callback<()>,
}

impl Driver {
    pub fn start(dispatch: Callback<Action>, candidates: Vec<String>) -> Driver {
        let d = Driver {
            inner: Rc::new(RefCell::new(Inner {
                link: None,
                host: String::new(),
                pending: HashMap::new(),
                dispatch,
                retry_ms: 1000,
                retry: None,
                simulator: false,
                check_reader: None,
                check_req: None,
            })),
        };
        let me = d.clone();
        let link = Link::start(candidates, move |e| me.on_link(e));
        d.inner.borrow_mut().link = Some(link);
        d
    }

    pub fn ctl(&self) -> Ctl {
        let me = self.clone();
        let again = self.clone();
        Ctl {
            send: Callback::from(move |c: Command| me.send(c)),
            reconnect: Callback::from(move |_| again.reconnect()),
        }
    }

    fn dispatch(&self, a: Action) {
        let d = self.inner.borrow().dispatch.clone();
        d.emit(a);
    }

    pub fn send(&self, c: Command) {
        let kind = kind_of(&c);
        let check = matches!(
            c,
            Command::CheckByCard { .. } | Command::CheckByInsurance { .. }
        );
        if let Command::CheckByCard { reader, .. } = &c {
            self.inner.borrow_mut().check_reader = Some(reader.clone());
        }
        if check {
            self.dispatch(Action::Running);
        }
        let link = self.inner.borrow().link.clone();
        match link.and_then(|l| l.send(c)) {
            Some(req) => {
                let mut i = self.inner.borrow_mut();
                i.pending.insert(req, kind);
                if check {
                    i.check_req = Some(req);
                }
            }
            None => self.dispatch(Action::Failed),
        }
    }

    /// The user asked (再接続): try every candidate again now.
    fn reconnect(&self) {
        self.dispatch(Action::Connecting);
        self.probe();
    }

    fn probe(&self) {
        let link = {
            let mut i = self.inner.borrow_mut();
            i.retry = None;
            i.link.clone()
        };
        if let Some(l) = link {
            l.restart();
        }
    }

    /// Tries again later, more slowly each time (1 s doubling to 15 s), until a companion
    /// answers: after a restart of the companion or a PC waking up, the page reconnects by
    /// itself. The status shown does not change while retrying, so screen readers are not
    /// told "connecting… cannot connect" over and over.
    fn retry_later(&self) {
        let me = self.clone();
        let mut i = self.inner.borrow_mut();
        let delay = i.retry_ms;
        i.retry_ms = (delay * 2).min(15_000);
        i.retry = Some(gloo_timers::callback::Timeout::new(delay, move || {
            me.probe()
        }));
    }

    fn on_link(&self, e: LinkEvent) {
        match e {
            LinkEvent::Connected { host } => {
                let mut i = self.inner.borrow_mut();
                i.host = host;
                i.retry_ms = 1000;
                i.retry = None;
            }
            LinkEvent::Message(m) => self.on_message(m),
            LinkEvent::Failed => {
                self.dispatch(Action::Failed);
                self.retry_later();
            }
            LinkEvent::Closed => {
                // The companion went away (restarted, PC asleep).
                self.dispatch(Action::Connecting);
                self.inner.borrow_mut().pending.clear();
                self.retry_later();
            }
        }
    }

    fn after_pairing(&self, simulator: bool) {
        self.dispatch(Action::Paired);
        self.send(Command::GetReaders);
        if simulator {
            self.send(Command::SimListPersonas);
        }
    }

    fn on_message(&self, m: ServerMessage) {
        let kind = m.req.and_then(|r| {
            let mut i = self.inner.borrow_mut();
            // Progress keeps the request open; anything else answers it.
            if matches!(m.body, Message::Progress { .. }) {
                i.pending.get(&r).copied()
            } else {
                i.pending.remove(&r)
            }
        });
        let host = self.inner.borrow().host.clone();
        match m.body {
            Message::Hello {
                simulator, pairing, ..
            } => {
                let need = pairing == PairingState::Required;
                self.inner.borrow_mut().simulator = simulator;
                self.dispatch(Action::Connected {
                    host: host.clone(),
                    simulator,
                    need_pairing: need,
                });
                if !need {
                    self.after_pairing(simulator);
                } else if let Some(token) = storage::get(&storage::token_key(&host)) {
                    self.send(Command::Auth { token });
                } else {
                    self.dispatch(Action::NeedCode);
                }
            }
            Message::Paired { token } => {
                storage::set(&storage::token_key(&host), &token);
                let sim = self.simulator_flag();
                self.after_pairing(sim);
            }
            Message::Authenticated => {
                let sim = self.simulator_flag();
                self.after_pairing(sim);
            }
            Message::Readers { readers } => {
                let cards: Vec<_> = readers
                    .iter()
                    .filter(|r| {
                        r.card
                            .as_ref()
                            .is_some_and(|c| c.kind == CardKind::MyNumber)
                    })
                    .map(|r| r.name.clone())
                    .collect();
                self.dispatch(Action::Readers(readers));
                for reader in cards {
                    self.send(Command::GetCardStatus { reader });
                }
            }
            Message::ReaderAdded { reader } => self.dispatch(Action::ReaderAdded(reader)),
            Message::ReaderRemoved { name } => self.dispatch(Action::ReaderRemoved(name)),
            Message::CardInserted { reader, card } => {
                let my_number = card.kind == CardKind::MyNumber;
                self.dispatch(Action::Card {
                    reader: reader.clone(),
                    card: Some(card),
                    inserted: true,
                });
                if my_number {
                    self.send(Command::GetCardStatus { reader });
                }
            }
            Message::CardRemoved { reader } => self.dispatch(Action::Card {
                reader,
                card: None,
                inserted: false,
            }),
            Message::CardStatus { reader, card } => self.dispatch(Action::Card {
                reader,
                card: Some(card),
                inserted: false,
            }),
            Message::Personas { personas } => self.dispatch(Action::Personas(personas)),
            Message::Progress { step } => self.dispatch(Action::Progress(step)),
            Message::Eligibility { result } => {
                let latest = self.inner.borrow().check_req;
                if m.req.is_some() && m.req != latest {
                    crate::log::warn(
                        "check.stale_answer",
                        "an earlier check's answer was dropped",
                    );
                    return;
                }
                self.dispatch(Action::Result(result));
                self.refresh_tries();
            }
            Message::Imported { results } => self.dispatch(Action::Imported(results)),
            Message::Status(status) => self.dispatch(Action::Status(Ok(*status))),
            Message::Ok => {}
            Message::Error {
                code,
                message,
                detail,
            } => {
                let area = match kind {
                    Some(Kind::Pair | Kind::Auth | Kind::Hello) => Area::Pairing,
                    Some(Kind::Insurance | Kind::Import) => Area::Insurance,
                    Some(Kind::Sim) => Area::Simulator,
                    _ => Area::Check,
                };
                if code == ErrorCode::TokenUnknown
                    || (code == ErrorCode::NotPaired && kind != Some(Kind::Pair))
                {
                    storage::remove(&storage::token_key(&host));
                    self.dispatch(Action::NeedCode);
                    if code == ErrorCode::TokenUnknown {
                        return;
                    }
                }
                if kind == Some(Kind::CardStatus) {
                    return;
                }
                if matches!(kind, Some(Kind::Check | Kind::Insurance))
                    && m.req != self.inner.borrow().check_req
                {
                    // An earlier check's late failure: the latest one's outcome stands.
                    return;
                }
                if kind == Some(Kind::Status) {
                    self.dispatch(Action::Status(Err((code, detail))));
                    return;
                }
                self.dispatch(Action::Failure(Failure {
                    area,
                    code,
                    message_ja: message,
                    message_en: None,
                    detail,
                }));
                if matches!(
                    code,
                    ErrorCode::PinWrong | ErrorCode::PinLocked | ErrorCode::LastTryNotConfirmed
                ) {
                    self.refresh_tries();
                }
            }
        }
    }

    fn simulator_flag(&self) -> bool {
        self.inner.borrow().simulator
    }

    /// Reads the PIN tries left again on the reader of the last check.
    fn refresh_tries(&self) {
        let reader = self.inner.borrow().check_reader.clone();
        if let Some(reader) = reader {
            self.send(Command::GetCardStatus { reader });
        }
    }
}
