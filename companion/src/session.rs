//! One page's WebSocket, as a thin adapter around `ukemi_core::protocol::session`: a reader
//! thread turns frames into [`Input`]s; this thread waits on them together with answers,
//! events and pairing decisions, and writes each answer the moment it exists (no polling),
//! so the local hop adds next to nothing to a command's time.

use crate::hub::Hub;
use crate::pairing::Brain;
use crate::server::Conns;
use crate::worker::Lanes;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tungstenite::{Message as Frame, WebSocket};
use ukemi_core::protocol::auth::SharedKey;
use ukemi_core::protocol::session::{Access, Context, Effect, Session, Settings};
use ukemi_core::protocol::{self, ErrorCode, ErrorDetail, Message, ProgressStep, ServerMessage};

/// What reaches a session's thread.
pub enum Input {
    Text(String),
    Binary,
    /// The page's frame was over the size limit: the stream position is lost.
    TooLarge,
    /// The connection ended (closed by the page, or a read error).
    Ended(&'static str),
    /// An answer or event to send.
    Out(ServerMessage),
    /// The approval page decided this connection's pairing request.
    Decided(Option<SharedKey>),
}

/// Where workers, the hub, the status thread and the approval page send to a page.
#[derive(Clone)]
pub struct Outbox(Sender<Input>);

impl Outbox {
    /// False when the page has gone.
    pub fn send(&self, m: ServerMessage) -> bool {
        self.0.send(Input::Out(m)).is_ok()
    }
    pub fn decided(&self, key: Option<SharedKey>) -> bool {
        self.0.send(Input::Decided(key)).is_ok()
    }
}

pub struct Shared {
    pub brain: Arc<Mutex<Brain>>,
    pub settings: Settings,
    pub hub: Hub,
    pub lanes: Lanes,
    /// `GET_STATUS` goes to its own thread (see `status.rs`), never the card worker.
    pub status: Sender<crate::status::StatusRequest>,
    pub conns: Arc<Conns>,
    /// `BOOK_*` commands go to the book thread (book.rs), the only one with the book file.
    pub book: Sender<crate::book::Input>,
}

/// Both WebSocket halves write through this: each `write` is one whole buffer of frames
/// (tungstenite hands over complete frames), written under the lock, so a pong the reader
/// sends never lands inside an answer the session writes.
pub struct Duplex {
    read: TcpStream,
    write: Arc<Mutex<TcpStream>>,
}

impl Duplex {
    pub fn new(stream: TcpStream) -> std::io::Result<Duplex> {
        Ok(Duplex {
            read: stream.try_clone()?,
            write: Arc::new(Mutex::new(stream)),
        })
    }
    fn twin(&self) -> std::io::Result<Duplex> {
        Ok(Duplex {
            read: self.read.try_clone()?,
            write: Arc::clone(&self.write),
        })
    }
}

impl Read for Duplex {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.read.read(buf)
    }
}

impl Write for Duplex {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut w = self
            .write
            .lock()
            .map_err(|_| std::io::Error::other("writer poisoned"))?;
        w.write_all(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.write
            .lock()
            .map_err(|_| std::io::Error::other("writer poisoned"))?
            .flush()
    }
}

fn reader(mut ws: WebSocket<Duplex>, tx: Sender<Input>) {
    loop {
        let input = match ws.read() {
            Ok(Frame::Text(t)) => Input::Text(t.as_str().to_string()),
            Ok(Frame::Binary(_)) => Input::Binary,
            Ok(Frame::Close(_)) => Input::Ended("closed by page"),
            Ok(_) => continue,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::Interrupted
                        | std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(tungstenite::Error::Capacity(_)) => Input::TooLarge,
            Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Input::Ended("closed")
            }
            Err(tungstenite::Error::Io(_)) => Input::Ended("connection lost"),
            Err(_) => Input::Ended("protocol error"),
        };
        let last = matches!(input, Input::Ended(_) | Input::TooLarge);
        if tx.send(input).is_err() || last {
            return;
        }
    }
}

pub struct Conn {
    pub id: u64,
    pub origin: String,
    pub host: String,
    /// What the administrator allows this origin (pairing without a click, the book).
    pub access: Access,
}

/// Serves one page until it leaves. `ws` has done the handshake; `config` is its limits.
pub fn run(conn: Conn, ws: WebSocket<Duplex>, config: WebSocketConfig, shared: Arc<Shared>) {
    let id = conn.id;
    let writer = ws
        .get_ref()
        .twin()
        .map(|d| WebSocket::from_raw_socket(d, Role::Server, Some(config)));
    let stream = ws.get_ref().read.try_clone();
    let (Ok(mut writer), Ok(stream)) = (writer, stream) else {
        return;
    };
    let (tx, rx) = mpsc::channel();
    let outbox = Outbox(tx.clone());
    shared.conns.register(id, outbox.clone());
    if std::thread::Builder::new()
        .name(format!("read-{id}"))
        .spawn(move || reader(ws, tx))
        .is_err()
    {
        shared.conns.remove(id);
        return;
    }
    crate::info!("conn={id} open origin={}", conn.origin);
    let mut session = {
        let Ok(mut b) = shared.brain.lock() else {
            return;
        };
        Session::new(
            id,
            &conn.origin,
            &conn.host,
            conn.access,
            crate::clock::monotonic_ms(),
            &mut b.rng,
        )
    };
    let reason = serve(&mut session, &mut writer, &rx, &outbox, &conn, &shared);
    let dropped = shared.lanes.drop_conn(id);
    if dropped > 0 {
        crate::info!("conn={id} left; dropped {dropped} waiting job(s)");
    }
    shared.hub.unsubscribe(id);
    let _ = shared.book.send(crate::book::Input::Gone(id));
    if let Ok(mut b) = shared.brain.lock() {
        let Brain { pairings, rng, .. } = &mut *b;
        session.on_close(&mut Context {
            pairings,
            rng,
            now_ms: crate::clock::monotonic_ms(),
            settings: &shared.settings,
        });
    }
    shared.conns.remove(id);
    let _ = stream.shutdown(std::net::Shutdown::Both);
    crate::info!("conn={id} end: {reason}");
}

/// Runs `f` on the session with the pairing store locked.
fn step(shared: &Shared, f: impl FnOnce(&mut Context<'_>) -> Vec<Effect>) -> Vec<Effect> {
    let Ok(mut b) = shared.brain.lock() else {
        return vec![Effect::Close {
            code: 1011,
            reason: "internal error",
        }];
    };
    let Brain { pairings, rng, .. } = &mut *b;
    f(&mut Context {
        pairings,
        rng,
        now_ms: crate::clock::monotonic_ms(),
        settings: &shared.settings,
    })
}

fn serve(
    session: &mut Session,
    ws: &mut WebSocket<Duplex>,
    rx: &Receiver<Input>,
    outbox: &Outbox,
    conn: &Conn,
    shared: &Shared,
) -> &'static str {
    let id = conn.id;
    loop {
        let input = match session.deadline_ms() {
            Some(d) => {
                let wait = d.saturating_sub(crate::clock::monotonic_ms());
                match rx.recv_timeout(Duration::from_millis(wait)) {
                    Ok(i) => Some(i),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return "closed",
                }
            }
            None => match rx.recv() {
                Ok(i) => Some(i),
                Err(_) => return "closed",
            },
        };
        let effects = match input {
            None => step(shared, |cx| session.on_tick(cx)),
            Some(Input::Text(t)) => step(shared, |cx| session.on_text(&t, cx)),
            Some(Input::Binary) => session.on_binary(),
            Some(Input::Decided(key)) => {
                step(shared, |cx| session.on_pairing_decided(key.as_ref(), cx))
            }
            Some(Input::Out(m)) => {
                if send(ws, &m).is_err() {
                    return "write failed";
                }
                continue;
            }
            Some(Input::TooLarge) => {
                close(ws, CloseCode::Size, "message too large");
                return "message too large";
            }
            Some(Input::Ended(why)) => return why,
        };
        for e in effects {
            match e {
                Effect::Send(m) => {
                    if send(ws, &m).is_err() {
                        return "write failed";
                    }
                }
                Effect::Run { req, job } => {
                    let answer = match shared.lanes.submit(id, req, job, outbox) {
                        Ok(0) => None,
                        Ok(n) => Some(Message::Progress {
                            step: ProgressStep::Queued,
                            queue_position: Some(n),
                        }),
                        Err((code, detail)) => {
                            crate::info!("conn={id} req={req:?} not admitted: {}", code.as_str());
                            Some(Message::error(code, detail))
                        }
                    };
                    if let Some(body) = answer {
                        if send(ws, &ServerMessage { req, body }).is_err() {
                            return "write failed";
                        }
                    }
                }
                Effect::Status { req } => {
                    let request = crate::status::StatusRequest {
                        conn: id,
                        req,
                        reply: outbox.clone(),
                    };
                    if shared.status.send(request).is_err() {
                        let body = Message::error(ErrorCode::Internal, ErrorDetail::default());
                        if send(ws, &ServerMessage { req, body }).is_err() {
                            return "write failed";
                        }
                    }
                }
                Effect::Book { req, command } => {
                    let request = crate::book::Request {
                        conn: id,
                        req,
                        origin: conn.origin.clone(),
                        command,
                        reply: outbox.clone(),
                    };
                    if shared
                        .book
                        .send(crate::book::Input::Request(request))
                        .is_err()
                    {
                        let body =
                            Message::error(ErrorCode::BookUnavailable, ErrorDetail::default());
                        if send(ws, &ServerMessage { req, body }).is_err() {
                            return "write failed";
                        }
                    }
                }
                Effect::Subscribe => {
                    if shared.conns.paired(id).is_err() {
                        close(ws, CloseCode::Again, "too many pages");
                        return "too many pages";
                    }
                    shared.hub.subscribe(id, outbox.clone(), conn.access.book);
                }
                Effect::Unsubscribe => {
                    shared.hub.unsubscribe(id);
                    shared.conns.unpaired(id);
                }
                Effect::PairingsChanged => {
                    if let Ok(b) = shared.brain.lock() {
                        b.save();
                    }
                }
                Effect::PairingPending => {
                    shared.conns.pending(id);
                    // The code is not logged: only the person at the PC sees it.
                    crate::info!(
                        "conn={id} pairing request from origin={} waits for approval at {}",
                        conn.origin,
                        shared.settings.approve_url
                    );
                }
                Effect::Close { code, reason } => {
                    close(ws, CloseCode::from(code), reason);
                    return reason;
                }
                Effect::Log(line) => crate::info!("conn={id} {line}"),
            }
        }
    }
}

fn close(ws: &mut WebSocket<Duplex>, code: CloseCode, reason: &'static str) {
    let _ = ws.close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }));
    let _ = ws.flush();
}

fn send(ws: &mut WebSocket<Duplex>, m: &ServerMessage) -> Result<(), tungstenite::Error> {
    ws.send(Frame::text(protocol::encode(m)))
}
