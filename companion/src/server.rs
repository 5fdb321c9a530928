//! The loopback listeners: one thread per connection. Before anything is read, the peer
//! must belong to the same OS user (`peer.rs`) and get a slot (`admission.rs`); its request
//! head must arrive within a deadline. A request for `/v1` with `Upgrade: websocket` then
//! becomes a session after the Host and Origin checks; `/pair…` is the approval page; any
//! other GET is a static file (when the companion serves the app).

use crate::admission::{Phase, RateLog, Slots, HEAD_DEADLINE_MS};
use crate::guard::OriginPolicy;
use crate::http::{self, RequestHead};
use crate::peer::{self, Owner};
use crate::session::{self, Duplex, Outbox, Shared};
use std::collections::HashMap;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tungstenite::handshake::server::{ErrorResponse, Request as HsRequest, Response as HsResponse};
use tungstenite::http::StatusCode;
use tungstenite::protocol::WebSocketConfig;
use ukemi_core::protocol::{MAX_MESSAGE_BYTES, WS_PATH};

/// Connection threads alive at once: a last line far above the admission limits, for a
/// flood of sockets that are refused before they reach them.
const MAX_THREADS: usize = 512;

/// The connections the companion holds: their admission slots, a handle on each socket
/// (to close one that must make room) and each session's outbox (for pairing decisions).
#[derive(Default)]
pub struct Conns {
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    slots: Slots,
    streams: HashMap<u64, TcpStream>,
    outboxes: HashMap<u64, Outbox>,
    refusals: RateLog,
}

impl Table {
    fn evict(&mut self, id: Option<u64>) {
        let Some(id) = id else { return };
        self.outboxes.remove(&id);
        if let Some(s) = self.streams.remove(&id) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        if let Some(quiet) = self.refusals.allow(crate::clock::monotonic_ms()) {
            crate::warn!(
                "conn={id} closed to make room for a new connection ({quiet} more not logged)"
            );
        }
    }
}

impl Conns {
    fn with<R>(&self, f: impl FnOnce(&mut Table) -> R) -> Option<R> {
        self.table.lock().ok().map(|mut t| f(&mut t))
    }

    /// Logs a refusal, at most once a second.
    pub fn refused(&self, what: std::fmt::Arguments<'_>) {
        self.with(|t| {
            if let Some(quiet) = t.refusals.allow(crate::clock::monotonic_ms()) {
                crate::warn!("{what} ({quiet} more refusals not logged)");
            }
        });
    }

    fn accept(&self, id: u64, stream: &TcpStream) -> Result<(), &'static str> {
        let clone = stream.try_clone().map_err(|_| "cannot hold the socket")?;
        self.with(|t| {
            let admitted = t.slots.accept(id, crate::clock::monotonic_ms())?;
            t.evict(admitted.evict);
            t.streams.insert(id, clone);
            Ok(())
        })
        .unwrap_or(Err("internal error"))
    }

    fn classify(&self, id: u64, origin: Option<&str>) -> Result<(), &'static str> {
        self.with(|t| {
            let admitted = t.slots.classify(id, origin, crate::clock::monotonic_ms())?;
            t.evict(admitted.evict);
            Ok(())
        })
        .unwrap_or(Err("internal error"))
    }

    pub fn register(&self, id: u64, outbox: Outbox) {
        self.with(|t| t.outboxes.insert(id, outbox));
    }

    pub fn outbox(&self, id: u64) -> Option<Outbox> {
        self.with(|t| t.outboxes.get(&id).cloned()).flatten()
    }

    fn phase(&self, id: u64, phase: Phase) -> Result<(), &'static str> {
        self.with(|t| t.slots.set_phase(id, phase, crate::clock::monotonic_ms()))
            .unwrap_or(Ok(()))
    }

    pub fn paired(&self, id: u64) -> Result<(), &'static str> {
        self.phase(id, Phase::Paired)
    }
    pub fn unpaired(&self, id: u64) {
        let _ = self.phase(id, Phase::Unpaired);
    }
    pub fn pending(&self, id: u64) {
        let _ = self.phase(id, Phase::Pending);
    }

    pub fn remove(&self, id: u64) {
        self.with(|t| {
            t.slots.remove(id);
            t.streams.remove(&id);
            t.outboxes.remove(&id);
        });
    }
}

pub struct Server {
    pub policy: OriginPolicy,
    pub static_root: Option<PathBuf>,
    pub shared: Arc<Shared>,
    next_id: AtomicU64,
    threads: Arc<AtomicUsize>,
}

fn forbidden(why: &str) -> ErrorResponse {
    let mut r = ErrorResponse::new(Some(format!("{why}\n")));
    *r.status_mut() = StatusCode::FORBIDDEN;
    r
}

/// HTTP 503 with the reason, instead of dropping the connection without a word.
fn unavailable(stream: &mut TcpStream, why: &str) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    let body = format!("{why}\n");
    let _ = write!(
        stream,
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Retry-After: 1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

impl Server {
    pub fn new(policy: OriginPolicy, static_root: Option<PathBuf>, shared: Arc<Shared>) -> Server {
        Server {
            policy,
            static_root,
            shared,
            next_id: AtomicU64::new(1),
            threads: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Accepts on `listener` until it fails; one thread per connection.
    pub fn run(self: &Arc<Self>, listener: TcpListener) {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            // We bind loopback only; this is a second line in case of misconfiguration.
            if !stream
                .peer_addr()
                .map(|a| a.ip().is_loopback())
                .unwrap_or(false)
            {
                continue;
            }
            let id = self.next_id.fetch_add(1, Ordering::SeqCst);
            if self.threads.load(Ordering::SeqCst) >= MAX_THREADS {
                self.shared.conns.refused(format_args!(
                    "conn={id} refused with 503: too many connections"
                ));
                // Best effort and without blocking this loop: a flood must not stall it.
                let mut stream = stream;
                let _ = stream.set_nonblocking(true);
                unavailable(&mut stream, "too many connections");
                continue;
            }
            let this = Arc::clone(self);
            let threads = Arc::clone(&self.threads);
            threads.fetch_add(1, Ordering::SeqCst);
            let spawned = std::thread::Builder::new()
                .name(format!("conn-{id}"))
                .spawn(move || {
                    this.connection(id, stream);
                    this.shared.conns.remove(id);
                    threads.fetch_sub(1, Ordering::SeqCst);
                });
            if spawned.is_err() {
                self.threads.fetch_sub(1, Ordering::SeqCst);
                crate::warn!("could not start a connection thread");
            }
        }
    }

    fn connection(&self, id: u64, mut stream: TcpStream) {
        match peer::owner(&stream) {
            Owner::Same => {}
            Owner::Other(who) => {
                // No answer at all: another user learns nothing from us.
                self.shared.conns.refused(format_args!(
                    "conn={id} refused: connection from another user ({who})"
                ));
                return;
            }
            Owner::Unknown(why) => {
                self.shared.conns.refused(format_args!(
                    "conn={id} refused: cannot tell which user connects ({why})"
                ));
                return;
            }
        }
        if let Err(why) = self.shared.conns.accept(id, &stream) {
            self.shared
                .conns
                .refused(format_args!("conn={id} refused with 503: {why}"));
            return unavailable(&mut stream, why);
        }
        let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
        // Answers are small and must leave at once, not wait for the page's ACK.
        let _ = stream.set_nodelay(true);
        let (head, head_len) =
            match http::peek_head(&stream, Duration::from_millis(HEAD_DEADLINE_MS)) {
                Ok(h) => h,
                // Nothing in time: a stream of idle sockets must not hold a slot. Closed without
                // an answer (see `NoHead::Silent`).
                Err(http::NoHead::Silent) => return,
                // Garbage, or half a head: said.
                Err(http::NoHead::Bad) => {
                    http::respond(
                        &mut stream,
                        "400 Bad Request",
                        "text/plain; charset=utf-8",
                        b"bad request\n",
                        false,
                        &[],
                    );
                    return;
                }
            };
        if !self.policy.host_ok(head.header("host").unwrap_or("")) {
            crate::warn!("conn={id} refused: Host not loopback");
            http::respond(
                &mut stream,
                "403 Forbidden",
                "text/plain; charset=utf-8",
                b"host not allowed\n",
                false,
                &[],
            );
            return;
        }
        if head.is_websocket_upgrade() {
            self.websocket(id, stream, &head);
        } else {
            if let Err(why) = self.shared.conns.classify(id, None) {
                return unavailable(&mut stream, why);
            }
            if crate::approval::handles(&head) {
                crate::approval::serve(&mut stream, &head, head_len, &self.shared, &self.policy);
            } else if crate::backup_page::handles(&head) {
                crate::backup_page::serve(&mut stream, &head, head_len, &self.shared, &self.policy);
            } else {
                http::serve_file(&mut stream, self.static_root.as_deref(), &head, head_len);
            }
        }
    }

    fn websocket(&self, id: u64, mut stream: TcpStream, head: &RequestHead) {
        let origin = head.header("origin").map(crate::guard::normalise_origin);
        let origin_ok = origin.as_deref().is_some_and(|o| self.policy.is_allowed(o));
        let path_ok = head.path.split('?').next() == Some(WS_PATH);
        if origin_ok && path_ok {
            if let Err(why) = self.shared.conns.classify(id, origin.as_deref()) {
                self.shared
                    .conns
                    .refused(format_args!("conn={id} refused with 503: {why}"));
                return unavailable(&mut stream, why);
            }
        }
        let check = |_req: &HsRequest, resp: HsResponse| -> Result<HsResponse, ErrorResponse> {
            if !path_ok {
                let mut r = ErrorResponse::new(Some("unknown path\n".into()));
                *r.status_mut() = StatusCode::NOT_FOUND;
                return Err(r);
            }
            if !origin_ok {
                return Err(forbidden("origin not allowed"));
            }
            Ok(resp)
        };
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE_BYTES))
            .max_frame_size(Some(MAX_MESSAGE_BYTES));
        // The head deadline's timeout is the socket's: a page may stay quiet for hours.
        let _ = stream.set_read_timeout(None);
        let Ok(duplex) = Duplex::new(stream) else {
            return;
        };
        match tungstenite::accept_hdr_with_config(duplex, check, Some(config)) {
            Ok(ws) => {
                let origin = origin.unwrap_or_default();
                let conn = session::Conn {
                    id,
                    access: self.policy.access(&origin),
                    origin,
                    host: head.header("host").unwrap_or("").trim().to_string(),
                };
                session::run(conn, ws, config, Arc::clone(&self.shared));
            }
            Err(_) => {
                if !origin_ok {
                    crate::warn!(
                        "conn={id} refused: origin {:.80} not allowed",
                        origin.as_deref().unwrap_or("(none)")
                    );
                } else {
                    crate::info!("conn={id} handshake failed");
                }
            }
        }
    }
}
