//! `GET_STATUS`: is this clinic's online eligibility checking operational? Answered on a
//! thread of its own, never the card worker's, so a status check never waits behind a card
//! check and a slow service never holds up a card. Requests that arrive while a check runs
//! share its answer, so a page cannot make the companion knock on the service in a loop.
//!
//! Reachability of the relay's service is a TCP connect and a TLS handshake with the
//! clinic's certificate, then a clean close: no HTTP request, no card, no personal data.
//! Logs say the outcome and the time taken — never the certificate, never a key.

use crate::config::ServiceConfig;
use crate::https::Endpoint;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};
use std::io::Read;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ukemi_core::protocol::{
    jst_timestamp, CertificateStatus, CompanionStatus, ErrorCode, ErrorDetail, Message, Reachable,
    ServerMessage, ServiceKind,
};
use ukemi_core::Date;

/// The longest a reachability check waits for the connection and for the handshake.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to wait for the service's answer to our close (a refusal of our certificate
/// arrives here under TLS 1.3).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// One page's `GET_STATUS`.
pub struct StatusRequest {
    pub conn: u64,
    pub req: Option<u64>,
    pub reply: crate::session::Outbox,
}

/// What the companion knows at start: which service, the clinic's certificate, how to
/// reach the service.
pub struct StatusSource {
    service: ServiceKind,
    certificate: Option<(String, Date)>,
    probe: Option<Probe>,
}

struct Probe {
    tls: Arc<ClientConfig>,
    endpoint: Endpoint,
    timeout: Duration,
}

/// The clinic's certificate (subject CN, last valid day) from the configuration.
fn certificate(cfg: &ServiceConfig) -> Result<(Arc<ClientConfig>, (String, Date)), String> {
    let identity = cfg.identity()?;
    let first = identity.certs.first().ok_or("no client certificate")?;
    let (_, not_after) = crate::tls::validity(first)
        .ok_or("施術所の証明書を読めません / cannot read the client certificate")?;
    let cn = crate::tls::subject_cn(first).unwrap_or_default();
    let tls = crate::tls::client_config(&cfg.ca, identity, crate::clock::today_jst())
        .map_err(|e| e.to_string())?;
    Ok((tls, (cn, not_after)))
}

impl StatusSource {
    /// `service`: the configured service, when there is one; `simulated`: whether checks go
    /// to the simulated service instead.
    pub fn new(service: Option<&ServiceConfig>, simulated: bool) -> Result<StatusSource, String> {
        let Some(cfg) = service else {
            return Ok(StatusSource {
                service: ServiceKind::Simulator,
                certificate: None,
                probe: None,
            });
        };
        let (tls, cert) = certificate(cfg)?;
        let probe = (!simulated)
            .then(|| {
                Endpoint::parse(&cfg.url).map(|endpoint| Probe {
                    tls,
                    endpoint,
                    timeout: Duration::from_secs(cfg.timeout_seconds.max(1)).min(PROBE_TIMEOUT),
                })
            })
            .transpose()?;
        Ok(StatusSource {
            service: if simulated {
                ServiceKind::Simulator
            } else {
                ServiceKind::Relay
            },
            certificate: Some(cert),
            probe,
        })
    }

    pub fn status(&self) -> CompanionStatus {
        let today = crate::clock::today_jst();
        let mut status = CompanionStatus::simulated(env!("CARGO_PKG_VERSION"), String::new());
        status.service = self.service;
        status.certificate = self
            .certificate
            .as_ref()
            .map(|(cn, not_after)| CertificateStatus::new(cn.clone(), *not_after, today));
        if let Some(p) = &self.probe {
            status.service_url = Some(host_only(&p.endpoint));
            let started = Instant::now();
            let outcome = probe(p);
            let ms = started.elapsed().as_millis();
            match outcome {
                Ok(()) => {
                    crate::info!("status: service reachable (TLS handshake in {ms} ms)");
                    status.service_reachable = Reachable::Yes;
                }
                Err((code, why)) => {
                    crate::warn!("status: service not reachable in {ms} ms: {code} {why:.120}");
                    status.service_reachable = Reachable::No;
                    status.service_error = Some(ErrorCode::ServiceUnavailable);
                    status.service_error_detail = ErrorDetail {
                        service_code: Some(code.to_string()),
                        service_message: Some(format!("{why:.80}")),
                        ..Default::default()
                    };
                }
            }
        }
        status.checked_at = now_jst();
        status
    }
}

fn now_jst() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    jst_timestamp(secs)
}

fn host_only(e: &Endpoint) -> String {
    if e.port == 443 {
        e.host.clone()
    } else {
        format!("{}:{}", e.host, e.port)
    }
}

/// Why a probe failed: (`CONNECT` | `TIMEOUT` | `TLS`, short reason).
type ProbeError = (&'static str, String);

fn io_error(e: &std::io::Error) -> ProbeError {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            ("TIMEOUT", "no answer in time".into())
        }
        _ if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => ("TLS", e.to_string()),
        std::io::ErrorKind::InvalidData => ("TLS", e.to_string()),
        _ => ("CONNECT", e.to_string()),
    }
}

/// Connect, handshake with the clinic's certificate, close cleanly.
fn probe(p: &Probe) -> Result<(), ProbeError> {
    let addr = (p.endpoint.host.as_str(), p.endpoint.port)
        .to_socket_addrs()
        .map_err(|e| ("CONNECT", e.to_string()))?
        .next()
        .ok_or(("CONNECT", "no address".to_string()))?;
    let mut tcp = TcpStream::connect_timeout(&addr, p.timeout).map_err(|e| io_error(&e))?;
    tcp.set_read_timeout(Some(p.timeout))
        .and_then(|_| tcp.set_write_timeout(Some(p.timeout)))
        .map_err(|e| io_error(&e))?;
    let name =
        ServerName::try_from(p.endpoint.host.clone()).map_err(|e| ("CONNECT", e.to_string()))?;
    let mut conn =
        ClientConnection::new(Arc::clone(&p.tls), name).map_err(|e| ("TLS", e.to_string()))?;
    let deadline = Instant::now() + p.timeout;
    while conn.is_handshaking() {
        if Instant::now() > deadline {
            return Err(("TIMEOUT", "handshake took too long".into()));
        }
        conn.complete_io(&mut tcp).map_err(|e| io_error(&e))?;
    }
    // Under TLS 1.3 the service judges our certificate after our side of the handshake is
    // done: close, and read until it closes too, so a refusal (an alert) is not missed.
    conn.send_close_notify();
    while conn.wants_write() {
        if conn.write_tls(&mut tcp).is_err() {
            return Ok(());
        }
    }
    let _ = tcp.set_read_timeout(Some(CLOSE_TIMEOUT));
    let closing = Instant::now() + CLOSE_TIMEOUT;
    while Instant::now() < closing {
        match conn.read_tls(&mut tcp) {
            Ok(0) => break,
            Ok(_) => match conn.process_new_packets() {
                Err(e) => return Err(("TLS", e.to_string())),
                Ok(state) if state.peer_has_closed() => break,
                Ok(state) => {
                    // Drain application data (e.g. session tickets carry none; be safe).
                    let mut sink = vec![0u8; state.plaintext_bytes_to_read()];
                    let _ = conn.reader().read(&mut sink);
                }
            },
            // A reset or a silent service after a completed handshake is not a refusal.
            Err(_) => break,
        }
    }
    Ok(())
}

fn run(source: StatusSource, requests: Receiver<StatusRequest>) {
    while let Ok(first) = requests.recv() {
        let status = source.status();
        // Everything that arrived while this check ran gets the same answer.
        let waiting = std::iter::once(first).chain(requests.try_iter());
        for r in waiting {
            crate::info!("conn={} req={:?} STATUS", r.conn, r.req);
            r.reply.send(ServerMessage {
                req: r.req,
                body: Message::Status(Box::new(status.clone())),
            });
        }
    }
}

/// Starts the status thread; pages' `GET_STATUS` go to the returned sender.
pub fn spawn(source: StatusSource) -> std::io::Result<Sender<StatusRequest>> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("status".into())
        .spawn(move || run(source, rx))?;
    Ok(tx)
}
