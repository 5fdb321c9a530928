//! The protocol driver: turns what the companion says into reducer actions and sends the
//! follow-up commands. It sends nothing but `HELLO`, `AUTH` and `PAIR` to a companion that
//! has not proved itself: with a kept key it proves the key (`AUTH`) and checks the
//! companion's proof before anything else; a companion that cannot prove a key is passed
//! over for the next address, and only when none proves one does the page ask to pair (the
//! request waits for approval on this PC). `"trusted"` never skips the proof. Commands then
//! go one at a time (the companion admits one per page), the reader list after pairing,
//! the PIN tries when a card arrives. Components send through [`Ctl`]. Nothing sent is
//! ever logged.

use crate::link::{Link, LinkEvent};
use crate::state::{check, companion, readiness, Action, Area, Failure};
use crate::storage;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use ukemi_core::protocol::auth::{self, Binding, SharedKey, NONCE_LEN};
use ukemi_core::protocol::{CardKind, Command, ErrorCode, Message, ServerMessage};
use yew::prelude::*;

/// The book's edge: the app keeps the clinic's book and its durable copy (`book.rs`); the
/// widget, built without cargo feature `app`, keeps no book and links none of it.
#[cfg(feature = "app")]
use crate::book as book_edge;
#[cfg(not(feature = "app"))]
mod book_edge {
    use ukemi_core::protocol::Message;
    pub fn companion_gone() {}
    pub fn companion_ready() {}
    pub fn deliver(_: Message) {}
}

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
    /// The book's durable copy (`BOOK_*`, `BACKUP_RESTORE`): answers go to `book.rs`.
    Book,
    Other,
}

fn kind_of(c: &Command) -> Kind {
    match c {
        Command::Hello { .. } => Kind::Hello,
        Command::Pair => Kind::Pair,
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
        Command::BookInfo
        | Command::BookPush { .. }
        | Command::BookPull
        | Command::BookTrail { .. }
        | Command::BackupRestore { .. } => Kind::Book,
        Command::Unpair => Kind::Other,
    }
}

/// Commands that go out at once rather than one at a time behind the page's others.
fn goes_at_once(c: &Command) -> bool {
    matches!(
        c,
        Command::Hello { .. }
            | Command::Pair
            | Command::Auth { .. }
            | Command::Unpair
            | Command::GetStatus
    )
}

/// What this connection's companion said in `HELLO`, and what the page proved with it.
#[derive(Default)]
struct Peer {
    companion_id: String,
    origin: String,
    nonce: Vec<u8>,
    /// The page's nonce and the key used in the `AUTH` awaiting its answer.
    auth: Option<([u8; NONCE_LEN], SharedKey)>,
    /// The companion proved the key (or was just paired): commands may go.
    proven: bool,
}

/// A check whose answer replaces the result on screen.
fn is_check(c: &Command) -> bool {
    matches!(
        c,
        Command::CheckByCard { .. } | Command::CheckByInsurance { .. }
    )
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
    peer: Peer,
    /// A companion that answered without being able to prove a key: paired with only when
    /// no other candidate proves one.
    fallback: Option<String>,
    /// Pairing with `fallback` now (the link is restricted to it).
    pairing_fallback: bool,
    /// Commands waiting for the one in flight to be answered.
    queue: VecDeque<Command>,
    in_flight: Option<u64>,
    /// The demo keeps its key in memory only: it stores nothing.
    demo_key: Option<(String, SharedKey)>,
    /// The companion keeps the book's durable copy (`book` in `HELLO`'s features).
    book: bool,
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

/// 32 random bytes from the browser's cryptographic generator.
fn nonce() -> Option<[u8; NONCE_LEN]> {
    let mut b = [0u8; NONCE_LEN];
    web_sys::window()?
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut b)
        .ok()?;
    Some(b)
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
                peer: Peer::default(),
                fallback: None,
                pairing_fallback: false,
                queue: VecDeque::new(),
                in_flight: None,
                demo_key: None,
                book: false,
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

    fn link(&self) -> Option<Link> {
        self.inner.borrow().link.clone()
    }

    pub fn send(&self, c: Command) {
        if !goes_at_once(&c) {
            let (proven, busy) = {
                let i = self.inner.borrow();
                (i.peer.proven, i.in_flight.is_some())
            };
            if !proven {
                // Never to a companion that has not proved itself.
                crate::log::warn("companion.unproven_send", kind_name(kind_of(&c)));
                return;
            }
            if let Command::CheckByCard { reader, .. } = &c {
                self.inner.borrow_mut().check_reader = Some(reader.clone());
            }
            if is_check(&c) {
                // The last patient's result goes at once, even while the check waits its
                // turn; until it is sent, no earlier check's answer is shown.
                self.inner.borrow_mut().check_req = None;
                self.dispatch(Action::from(check::Action::Running));
            }
            if busy {
                self.inner.borrow_mut().queue.push_back(c);
                return;
            }
        }
        self.transmit(c);
    }

    fn transmit(&self, c: Command) {
        let kind = kind_of(&c);
        let at_once = goes_at_once(&c);
        let check = is_check(&c);
        match self.link().and_then(|l| l.send(c)) {
            Some(req) => {
                let mut i = self.inner.borrow_mut();
                i.pending.insert(req, kind);
                if !at_once {
                    i.in_flight = Some(req);
                }
                if check {
                    i.check_req = Some(req);
                }
            }
            None => self.dispatch(Action::from(companion::Action::Failed)),
        }
    }

    /// The command in flight was answered: the next one goes.
    fn next_queued(&self, answered: u64) {
        let next = {
            let mut i = self.inner.borrow_mut();
            if i.in_flight != Some(answered) {
                return;
            }
            i.in_flight = None;
            i.queue.pop_front()
        };
        if let Some(c) = next {
            self.transmit(c);
        }
    }

    /// The user asked (再接続): try every candidate again now.
    fn reconnect(&self) {
        self.dispatch(Action::from(companion::Action::Connecting));
        self.probe();
    }

    fn probe(&self) {
        let link = {
            let mut i = self.inner.borrow_mut();
            i.retry = None;
            i.fallback = None;
            i.pairing_fallback = false;
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

    fn forget_connection(&self) {
        book_edge::companion_gone();
        let mut i = self.inner.borrow_mut();
        i.pending.clear();
        i.queue.clear();
        i.in_flight = None;
        i.peer = Peer::default();
    }

    fn on_link(&self, e: LinkEvent) {
        match e {
            LinkEvent::Connected { host } => {
                self.forget_connection();
                let mut i = self.inner.borrow_mut();
                i.host = host;
                i.retry_ms = 1000;
                i.retry = None;
            }
            LinkEvent::Message(m) => self.on_message(m),
            LinkEvent::Failed => {
                self.forget_connection();
                // No candidate proved a key; pair with the first that answered, if any.
                let fallback = {
                    let mut i = self.inner.borrow_mut();
                    if i.pairing_fallback {
                        None
                    } else {
                        i.fallback.take()
                    }
                };
                if let (Some(host), Some(link)) = (fallback, self.link()) {
                    self.inner.borrow_mut().pairing_fallback = true;
                    link.restrict(vec![host]);
                    return;
                }
                self.dispatch(Action::from(companion::Action::Failed));
                self.retry_later();
            }
            LinkEvent::Closed => {
                // The companion went away (restarted, PC asleep).
                self.forget_connection();
                self.dispatch(Action::from(companion::Action::Connecting));
                self.retry_later();
            }
        }
    }

    fn after_pairing(&self) {
        let (simulator, book) = {
            let mut i = self.inner.borrow_mut();
            i.peer.proven = true;
            i.fallback = None;
            i.pairing_fallback = false;
            (i.simulator, i.book)
        };
        self.dispatch(Action::from(companion::Action::Paired));
        if book && !self.is_demo() {
            book_edge::companion_ready();
        }
        self.send(Command::GetReaders);
        if simulator {
            self.send(Command::SimListPersonas);
        }
    }

    fn kept_key(&self, companion_id: &str) -> Option<SharedKey> {
        let i = self.inner.borrow();
        if let Some((id, key)) = &i.demo_key {
            return (id == companion_id).then(|| key.clone());
        }
        drop(i);
        storage::get(&storage::key_key(companion_id)).and_then(|h| SharedKey::from_hex(&h))
    }

    fn is_demo(&self) -> bool {
        self.link().is_some_and(|l| l.is_demo())
    }

    /// HELLO answered: prove a kept key, or pass this companion over, or ask to pair.
    fn greeted(&self, companion_id: String, origin: String, nonce_hex: &str) {
        {
            let mut i = self.inner.borrow_mut();
            i.peer.companion_id = companion_id.clone();
            i.peer.origin = origin;
            i.peer.nonce = auth::from_hex(nonce_hex).unwrap_or_default();
        }
        if let Some(key) = self.kept_key(&companion_id) {
            let Some(np) = nonce() else {
                self.dispatch(Action::from(companion::Action::Failed));
                return;
            };
            let proof = {
                let mut i = self.inner.borrow_mut();
                let host = i.host.clone();
                let b = Binding {
                    origin: &i.peer.origin,
                    host: &host,
                    companion_nonce: &i.peer.nonce,
                    page_nonce: &np,
                };
                let proof = auth::hex(&auth::page_proof(&key, &b));
                i.peer.auth = Some((np, key));
                proof
            };
            self.transmit(Command::Auth {
                nonce: auth::hex(&np),
                proof,
            });
            return;
        }
        self.unknown_companion();
    }

    /// This companion holds no key of ours (or cannot prove it). If the page holds a key
    /// for another companion, try the other addresses first; else ask this one to pair.
    fn unknown_companion(&self) {
        let link = self.link();
        let (pairing_fallback, host) = {
            let i = self.inner.borrow();
            (i.pairing_fallback, i.host.clone())
        };
        let look_further = !pairing_fallback
            && !self.is_demo()
            && storage::holds_any_key()
            && link.as_ref().is_some_and(|l| l.has_more());
        if look_further {
            crate::log::info("companion.unknown", "trying the next address");
            self.inner.borrow_mut().fallback.get_or_insert(host);
            if let Some(l) = link {
                l.skip();
            }
            return;
        }
        self.request_pairing();
    }

    /// Asks the companion to pair; a person at this PC approves it on the approval page.
    pub fn request_pairing(&self) {
        self.transmit(Command::Pair);
    }

    /// The companion did not prove the key: it is not the companion this page paired with.
    fn unproven(&self) {
        crate::log::warn(
            "companion.proof_wrong",
            "the companion did not prove the key",
        );
        let link = self.link();
        if let Some(l) = link {
            self.forget_connection();
            l.skip();
        }
    }

    fn on_message(&self, m: ServerMessage) {
        let kind = m.req.and_then(|r| {
            let mut i = self.inner.borrow_mut();
            // Progress keeps the request open; anything else answers it.
            if matches!(
                m.body,
                Message::Progress { .. } | Message::PairingPending { .. }
            ) {
                i.pending.get(&r).copied()
            } else {
                i.pending.remove(&r)
            }
        });
        if let (Some(r), false) = (
            m.req,
            matches!(
                m.body,
                Message::Progress { .. } | Message::PairingPending { .. }
            ),
        ) {
            self.next_queued(r);
        }
        let host = self.inner.borrow().host.clone();
        let proven = self.inner.borrow().peer.proven;
        match m.body {
            Message::Hello {
                simulator,
                pairing,
                companion_id,
                origin,
                nonce,
                features,
                ..
            } => {
                {
                    let mut i = self.inner.borrow_mut();
                    i.simulator = simulator;
                    i.book = features.iter().any(|f| f == "book");
                }
                // `pairing` (required or trusted) changes nothing here: the page proves a
                // key either way; "trusted" only spares the click on the approval page.
                let _ = pairing;
                self.dispatch(Action::from(companion::Action::Connected {
                    host: host.clone(),
                    simulator,
                    keeps_book: features.iter().any(|f| f == "book"),
                    need_pairing: true,
                }));
                self.greeted(companion_id, origin, &nonce);
            }
            Message::Authenticated { proof } => {
                let ok = {
                    let i = self.inner.borrow();
                    i.peer.auth.as_ref().is_some_and(|(np, key)| {
                        let b = Binding {
                            origin: &i.peer.origin,
                            host: &host,
                            companion_nonce: &i.peer.nonce,
                            page_nonce: np,
                        };
                        auth::proof_matches(&auth::companion_proof(key, &b), &proof)
                    })
                };
                self.inner.borrow_mut().peer.auth = None;
                if ok {
                    self.after_pairing();
                } else {
                    self.unproven();
                }
            }
            Message::PairingPending { code, approve_url } => {
                crate::log::info(
                    "companion.pairing_pending",
                    "waiting for approval on this PC",
                );
                self.dispatch(Action::from(companion::Action::PairingPending {
                    code,
                    approve_url,
                }));
            }
            Message::Paired { companion_id, key } => {
                let expected = self.inner.borrow().peer.companion_id.clone();
                let Some(key) = SharedKey::from_hex(&key).filter(|_| companion_id == expected)
                else {
                    self.unproven();
                    return;
                };
                if self.is_demo() {
                    self.inner.borrow_mut().demo_key = Some((companion_id, key));
                } else {
                    storage::set(&storage::key_key(&companion_id), &key.to_hex());
                }
                self.after_pairing();
            }
            // Nothing below is taken from a companion that has not proved itself.
            _ if !proven && !matches!(m.body, Message::Error { .. }) => {
                crate::log::warn("companion.unproven_message", "ignored");
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
                self.dispatch(Action::from(companion::Action::Readers(readers)));
                for reader in cards {
                    self.send(Command::GetCardStatus { reader });
                }
            }
            Message::ReaderAdded { reader } => {
                self.dispatch(Action::from(companion::Action::ReaderAdded(reader)))
            }
            Message::ReaderRemoved { name } => {
                self.dispatch(Action::from(companion::Action::ReaderRemoved(name)))
            }
            Message::CardInserted { reader, card } => {
                let my_number = card.kind == CardKind::MyNumber;
                self.dispatch(Action::from(companion::Action::Card {
                    reader: reader.clone(),
                    card: Some(card),
                    inserted: true,
                }));
                if my_number {
                    self.send(Command::GetCardStatus { reader });
                }
            }
            Message::CardRemoved { reader } => {
                self.dispatch(Action::from(companion::Action::Card {
                    reader,
                    card: None,
                    inserted: false,
                }))
            }
            Message::CardStatus { reader, card } => {
                self.dispatch(Action::from(companion::Action::Card {
                    reader,
                    card: Some(card),
                    inserted: false,
                }))
            }
            Message::Personas { personas } => {
                self.dispatch(Action::from(companion::Action::Personas(personas)))
            }
            Message::Progress { step, .. } => {
                // An earlier check's steps are not this one's.
                if m.req.is_none() || m.req == self.inner.borrow().check_req {
                    self.dispatch(Action::from(check::Action::Progress(step)));
                }
            }
            Message::Eligibility { result } => {
                let latest = self.inner.borrow().check_req;
                if m.req.is_some() && m.req != latest {
                    crate::log::warn(
                        "check.stale_answer",
                        "an earlier check's answer was dropped",
                    );
                    return;
                }
                self.dispatch(Action::from(check::Action::Result(result)));
                self.refresh_tries();
            }
            Message::Imported { results } => {
                self.dispatch(Action::from(check::Action::Imported(results)))
            }
            Message::Status(status) => {
                self.dispatch(Action::from(readiness::Action::Status(Ok(*status))))
            }
            body @ (Message::BookInfo(_)
            | Message::BookStored { .. }
            | Message::BookStale { .. }
            | Message::BookData { .. }
            | Message::BookTrail { .. }
            | Message::BookChanged { .. }) => book_edge::deliver(body),
            Message::Ok if kind == Some(Kind::Book) => book_edge::deliver(Message::Ok),
            Message::Ok => {}
            body @ Message::Error { .. } if kind == Some(Kind::Book) => book_edge::deliver(body),
            Message::Error {
                code,
                message,
                detail,
            } => {
                if kind == Some(Kind::Auth) {
                    // The companion has no key for this page (reinstalled, unpaired) or a
                    // different one: ask to pair again. The kept key stays until a new
                    // pairing replaces it, so a companion that merely claims this cannot
                    // make the page forget its real one.
                    if matches!(code, ErrorCode::KeyUnknown | ErrorCode::ProofWrong) {
                        self.unknown_companion();
                        return;
                    }
                }
                let area = match kind {
                    Some(Kind::Pair | Kind::Auth | Kind::Hello) => Area::Pairing,
                    Some(Kind::Insurance | Kind::Import) => Area::Insurance,
                    Some(Kind::Sim) => Area::Simulator,
                    _ => Area::Check,
                };
                if matches!(kind, Some(Kind::Pair | Kind::Auth)) || code == ErrorCode::NotPaired {
                    self.dispatch(Action::from(companion::Action::NotPaired));
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
                    self.dispatch(Action::from(readiness::Action::Status(Err((code, detail)))));
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

    /// Reads the PIN tries left again on the reader of the last check.
    fn refresh_tries(&self) {
        let reader = self.inner.borrow().check_reader.clone();
        if let Some(reader) = reader {
            self.send(Command::GetCardStatus { reader });
        }
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Hello => "hello",
        Kind::Pair => "pair",
        Kind::Auth => "auth",
        Kind::Readers => "readers",
        Kind::CardStatus => "card_status",
        Kind::Check => "check",
        Kind::Insurance => "insurance",
        Kind::Import => "import",
        Kind::Sim => "sim",
        Kind::Status => "status",
        Kind::Book => "book",
        Kind::Other => "other",
    }
}
