//! The loopback listener: one thread per connection. A request for `/v1` with an
//! `Upgrade: websocket` header becomes a session after the Host and Origin checks; any
//! other GET is a static file (when the companion serves the app).

use crate::guard::OriginPolicy;
use crate::http::{self, RequestHead};
use crate::session::{Session, Shared};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tungstenite::handshake::server::{ErrorResponse, Request as HsRequest, Response as HsResponse};
use tungstenite::http::StatusCode;
use tungstenite::protocol::WebSocketConfig;
use ukemi_core::protocol::{MAX_MESSAGE_BYTES, WS_PATH};

/// Connections served at once; a page opens one or two, so this only stops floods.
const MAX_CONNECTIONS: usize = 32;

pub struct Server {
    pub listener: TcpListener,
    pub policy: OriginPolicy,
    pub static_root: Option<PathBuf>,
    pub shared: Arc<Shared>,
}

fn forbidden(why: &str) -> ErrorResponse {
    let mut r = ErrorResponse::new(Some(format!("{why}\n")));
    *r.status_mut() = StatusCode::FORBIDDEN;
    r
}

impl Server {
    pub fn run(self) {
        let next_id = AtomicU64::new(1);
        let open = Arc::new(AtomicUsize::new(0));
        let this = Arc::new(self);
        for stream in this.listener.incoming() {
            let Ok(stream) = stream else { continue };
            // We bind loopback only; this is a second line in case of misconfiguration.
            if !stream
                .peer_addr()
                .map(|a| a.ip().is_loopback())
                .unwrap_or(false)
            {
                continue;
            }
            if open.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                crate::warn!("too many connections; refusing one");
                continue;
            }
            let id = next_id.fetch_add(1, Ordering::SeqCst);
            let this = Arc::clone(&this);
            let open = Arc::clone(&open);
            open.fetch_add(1, Ordering::SeqCst);
            let spawned = std::thread::Builder::new()
                .name(format!("conn-{id}"))
                .spawn(move || {
                    this.connection(id, stream);
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            if spawned.is_err() {
                crate::warn!("could not start a connection thread");
            }
        }
    }

    fn connection(&self, id: u64, mut stream: TcpStream) {
        let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
        let Some((head, head_len)) = http::peek_head(&stream) else {
            http::respond(
                &mut stream,
                "400 Bad Request",
                "text/plain; charset=utf-8",
                b"bad request\n",
                false,
                &[],
            );
            return;
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
            http::serve_file(&mut stream, self.static_root.as_deref(), &head, head_len);
        }
    }

    fn websocket(&self, id: u64, stream: TcpStream, head: &RequestHead) {
        let origin = head.header("origin").map(crate::guard::normalise_origin);
        let origin_ok = origin.as_deref().is_some_and(|o| self.policy.is_allowed(o));
        let path_ok = head.path.split('?').next() == Some(WS_PATH);
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
        match tungstenite::accept_hdr_with_config(stream, check, Some(config)) {
            Ok(ws) => {
                let origin = origin.unwrap_or_default();
                let trusted = self.policy.is_trusted(&origin);
                Session::new(id, origin, trusted, Arc::clone(&self.shared)).run(ws);
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
