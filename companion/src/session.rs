//! One page's WebSocket: reads commands, enforces HELLO → pairing → commands, hands card
//! and service work to the worker, and writes answers and events back. The socket is read
//! with a short timeout so events can be written between reads without a second thread.

use crate::hub::Hub;
use crate::pairing::{PairError, Pairing};
use crate::worker::{Busy, Request, Work};
use std::net::TcpStream;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::CloseFrame;
use tungstenite::{Message as Frame, WebSocket};
use ukemi_core::engine::Job;
use ukemi_core::protocol::{
    self, ClientInfo, Command, ErrorCode, ErrorDetail, Message, PairingState, ProgressStep,
    ServerMessage,
};

pub struct Shared {
    pub pairing: Arc<Mutex<Pairing>>,
    pub hub: Hub,
    pub jobs: Sender<Request>,
    pub busy: Busy,
    pub simulator: bool,
    /// `GET_STATUS` goes to its own thread (see `status.rs`), never the card worker.
    pub status: Sender<crate::status::StatusRequest>,
}

#[derive(PartialEq, Eq)]
enum Stage {
    NeedHello,
    NeedPairing,
    Ready,
}

pub struct Session {
    id: u64,
    origin: String,
    trusted: bool,
    stage: Stage,
    shared: Arc<Shared>,
    tx: Sender<ServerMessage>,
    rx: Receiver<ServerMessage>,
}

const POLL: Duration = Duration::from_millis(40);

impl Session {
    pub fn new(id: u64, origin: String, trusted: bool, shared: Arc<Shared>) -> Session {
        let (tx, rx) = mpsc::channel();
        Session {
            id,
            origin,
            trusted,
            stage: Stage::NeedHello,
            shared,
            tx,
            rx,
        }
    }

    pub fn run(mut self, mut ws: WebSocket<TcpStream>) {
        if ws.get_ref().set_read_timeout(Some(POLL)).is_err() {
            return;
        }
        crate::info!("conn={} open origin={}", self.id, self.origin);
        let reason = loop {
            match ws.read() {
                Ok(Frame::Text(text)) => {
                    for out in self.handle_text(text.as_str()) {
                        if send(&mut ws, &out).is_err() {
                            break;
                        }
                    }
                }
                Ok(Frame::Binary(_)) => {
                    let m = ServerMessage {
                        req: None,
                        body: Message::error(ErrorCode::BinaryNotSupported, ErrorDetail::default()),
                    };
                    let _ = send(&mut ws, &m);
                }
                Ok(Frame::Close(_)) => break "closed by page",
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::TimedOut
                            | std::io::ErrorKind::Interrupted
                    ) => {}
                Err(tungstenite::Error::Capacity(_)) => {
                    // The frame could not be read, so the stream position is lost: close with a reason.
                    let _ = ws.close(Some(CloseFrame {
                        code: CloseCode::Size,
                        reason: "message too large".into(),
                    }));
                    let _ = ws.flush();
                    break "message too large";
                }
                Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                    break "closed"
                }
                Err(e) => {
                    crate::info!("conn={} read error: {e}", self.id);
                    let _ = ws.close(Some(CloseFrame {
                        code: CloseCode::Protocol,
                        reason: "protocol error".into(),
                    }));
                    let _ = ws.flush();
                    break "protocol error";
                }
            }
            // Answers from the worker and pushed events.
            let mut failed = false;
            while let Ok(m) = self.rx.try_recv() {
                if send(&mut ws, &m).is_err() {
                    failed = true;
                    break;
                }
            }
            if failed {
                break "write failed";
            }
        };
        self.shared.hub.unsubscribe(self.id);
        crate::info!("conn={} end: {reason}", self.id);
    }

    fn reply(req: Option<u64>, body: Message) -> Vec<ServerMessage> {
        vec![ServerMessage { req, body }]
    }

    fn error(req: Option<u64>, code: ErrorCode, detail: ErrorDetail) -> Vec<ServerMessage> {
        Self::reply(req, Message::error(code, detail))
    }

    /// Handles one text frame; returns what to send right away.
    pub fn handle_text(&mut self, text: &str) -> Vec<ServerMessage> {
        let msg = match protocol::decode_client(text) {
            Ok(m) => m,
            Err(e) => {
                crate::info!(
                    "conn={} req={:?} refused frame: {}",
                    self.id,
                    e.req,
                    e.reason
                );
                let detail = ErrorDetail {
                    field: None,
                    ..Default::default()
                };
                return Self::error(e.req, e.code, detail);
            }
        };
        let req = msg.req;
        let cmd = msg.command;
        crate::info!("conn={} req={:?} {}", self.id, req, cmd.name());
        match self.stage {
            Stage::NeedHello if !matches!(cmd, Command::Hello { .. }) => {
                return Self::error(req, ErrorCode::HelloRequired, ErrorDetail::default())
            }
            Stage::NeedPairing | Stage::NeedHello if !cmd.allowed_unpaired() => {
                return Self::error(req, ErrorCode::NotPaired, ErrorDetail::default())
            }
            _ => {}
        }
        match cmd {
            Command::Hello { api_levels, client } => self.hello(req, &api_levels, &client),
            Command::Pair { code } => self.pair(req, &code),
            Command::Auth { token } => {
                let ok = self
                    .shared
                    .pairing
                    .lock()
                    .map(|p| p.check(&self.origin, &token))
                    .unwrap_or(false);
                if ok {
                    self.ready();
                    Self::reply(req, Message::Authenticated)
                } else {
                    Self::error(req, ErrorCode::TokenUnknown, ErrorDetail::default())
                }
            }
            Command::Unpair => {
                if let Ok(mut p) = self.shared.pairing.lock() {
                    p.unpair(&self.origin);
                }
                if !self.trusted {
                    self.stage = Stage::NeedPairing;
                    self.shared.hub.unsubscribe(self.id);
                }
                Self::reply(req, Message::Ok)
            }
            Command::GetStatus => {
                let request = crate::status::StatusRequest {
                    conn: self.id,
                    req,
                    reply: self.tx.clone(),
                };
                match self.shared.status.send(request) {
                    Ok(()) => vec![],
                    Err(_) => Self::error(req, ErrorCode::Internal, ErrorDetail::default()),
                }
            }
            other => match Job::from_command(other) {
                Some(job) => self.submit(req, job),
                None => Self::error(req, ErrorCode::Internal, ErrorDetail::default()),
            },
        }
    }

    fn hello(
        &mut self,
        req: Option<u64>,
        levels: &[u32],
        client: &ClientInfo,
    ) -> Vec<ServerMessage> {
        let Some(level) = protocol::negotiate(levels) else {
            let detail = ErrorDetail {
                supported: Some(protocol::API_LEVELS.to_vec()),
                ..Default::default()
            };
            return Self::error(req, ErrorCode::UnsupportedApiLevel, detail);
        };
        crate::info!(
            "conn={} hello from {:.40} {:.20}, api level {level}",
            self.id,
            client.name,
            client.version
        );
        if self.trusted {
            self.ready();
        } else if self.stage == Stage::NeedHello {
            self.stage = Stage::NeedPairing;
        }
        let features = [
            "check_by_card",
            "check_by_insurance",
            "import_results",
            "pairing",
            "status",
        ]
        .into_iter()
        .chain(self.shared.simulator.then_some("simulator"))
        .map(str::to_string)
        .collect();
        Self::reply(
            req,
            Message::Hello {
                api_level: level,
                companion: ClientInfo {
                    name: "ukemi-companion".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                },
                simulator: self.shared.simulator,
                origin: self.origin.clone(),
                pairing: if self.trusted {
                    PairingState::Trusted
                } else {
                    PairingState::Required
                },
                features,
            },
        )
    }

    fn pair(&mut self, req: Option<u64>, code: &str) -> Vec<ServerMessage> {
        let result = match self.shared.pairing.lock() {
            Ok(mut p) => p.pair(&self.origin, code, Instant::now()),
            Err(_) => return Self::error(req, ErrorCode::Internal, ErrorDetail::default()),
        };
        match result {
            Ok(token) => {
                crate::info!("conn={} paired origin={}", self.id, self.origin);
                self.ready();
                Self::reply(req, Message::Paired { token })
            }
            Err(PairError::Wrong { retry_after, .. }) => {
                crate::warn!(
                    "conn={} wrong pairing code from origin={}",
                    self.id,
                    self.origin
                );
                Self::error(
                    req,
                    ErrorCode::PairingCodeWrong,
                    ErrorDetail::retry_after(retry_after.as_millis() as u64),
                )
            }
            Err(PairError::RateLimited { retry_after }) => {
                let ms = (retry_after.as_millis() as u64).max(1);
                Self::error(
                    req,
                    ErrorCode::PairingRateLimited,
                    ErrorDetail::retry_after(ms),
                )
            }
        }
    }

    fn ready(&mut self) {
        self.stage = Stage::Ready;
        self.shared.hub.subscribe(self.id, self.tx.clone());
    }

    fn submit(&mut self, req: Option<u64>, job: Job) -> Vec<ServerMessage> {
        let queued = self.shared.busy.is_busy() && matches!(job, Job::CheckByCard { .. });
        let request = Request {
            conn: self.id,
            req,
            work: Work::Page(job),
            reply: self.tx.clone(),
        };
        if self.shared.jobs.send(request).is_err() {
            return Self::error(req, ErrorCode::Internal, ErrorDetail::default());
        }
        if queued {
            Self::reply(
                req,
                Message::Progress {
                    step: ProgressStep::Queued,
                },
            )
        } else {
            vec![]
        }
    }
}

fn send(ws: &mut WebSocket<TcpStream>, m: &ServerMessage) -> Result<(), tungstenite::Error> {
    ws.send(Frame::text(protocol::encode(m)))
}
