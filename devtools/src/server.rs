//! The simulated service's side of HTTPS: accept TLS (requiring a client certificate signed
//! by the clinic CA), read one request, write one answer, close. Plain blocking sockets.

use rustls::server::{ServerConfig, WebPkiClientVerifier};
use rustls::{ServerConnection, StreamOwned};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use ukemi_companion::tls::{self, TlsError};

pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// Why a connection ended without a request.
#[derive(Debug)]
pub struct ServerError(String);

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn io_to_error(e: std::io::Error) -> ServerError {
    ServerError(e.to_string())
}

/// The server side of one connection: the request, after the TLS handshake.
pub struct Request {
    pub method: String,
    pub path: String,
    pub request_id: Option<String>,
    pub body: Vec<u8>,
}

pub type ServerStream = StreamOwned<ServerConnection, TcpStream>;

/// Reads into `buf`, retrying when a signal interrupts the call.
fn read_retrying(tls: &mut ServerStream, buf: &mut [u8]) -> Result<usize, ServerError> {
    loop {
        match tls.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // A refused client certificate leaves an alert queued: send it, so the client
                // learns *why* (a TLS error) instead of seeing a bare reset. Then half-close
                // and drain what the client already sent: closing with unread input makes the
                // kernel send a reset, which can destroy the alert before it is read.
                let _ = tls.conn.write_tls(&mut tls.sock);
                let _ = tls.sock.flush();
                let _ = tls.sock.shutdown(std::net::Shutdown::Write);
                let _ = tls.sock.set_read_timeout(Some(Duration::from_millis(300)));
                let mut sink = [0u8; 4096];
                while matches!(tls.sock.read(&mut sink), Ok(n) if n > 0) {}
                return Err(io_to_error(e));
            }
        }
    }
}

/// Accepts TLS on `tcp` and reads one request (head + Content-Length body).
pub fn read_request(
    config: &Arc<ServerConfig>,
    tcp: TcpStream,
) -> Result<(ServerStream, Request), ServerError> {
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| ServerError(e.to_string()))?;
    let conn = ServerConnection::new(Arc::clone(config)).map_err(|e| ServerError(e.to_string()))?;
    let mut tls = StreamOwned::new(conn, tcp);
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        let n = read_retrying(&mut tls, &mut buf)?;
        if n == 0 {
            return Err(ServerError("closed before a request".into()));
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if raw.len() > 16 * 1024 {
            return Err(ServerError("header too large".into()));
        }
    };
    let head = ukemi_companion::http::parse_head(&raw[..head_end])
        .ok_or_else(|| ServerError("bad request line".into()))?;
    let length: usize = head
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if length > MAX_BODY {
        return Err(ServerError("body too large".into()));
    }
    let mut body = raw[head_end + 4..].to_vec();
    while body.len() < length {
        let n = read_retrying(&mut tls, &mut buf)?;
        if n == 0 {
            return Err(ServerError("truncated body".into()));
        }
        body.extend_from_slice(&buf[..n]);
    }
    body.truncate(length);
    let request_id = head.header("x-request-id").map(str::to_string);
    Ok((
        tls,
        Request {
            method: head.method,
            path: head.path,
            request_id,
            body,
        },
    ))
}

pub fn write_response(tls: &mut ServerStream, status: &str, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = tls.write_all(head.as_bytes());
    let _ = tls.write_all(body);
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// The simulated service's side: requires a client certificate signed by `client_ca`.
pub fn server_config(
    client_ca: &Path,
    cert: &Path,
    key: &Path,
) -> Result<Arc<ServerConfig>, TlsError> {
    let verifier = WebPkiClientVerifier::builder_with_provider(
        Arc::new(tls::roots(client_ca)?),
        tls::provider(),
    )
    .build()
    .map_err(|e| TlsError::Config(e.to_string()))?;
    let config = ServerConfig::builder_with_provider(tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(tls::load_certs(cert)?, tls::load_key(key)?)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(Arc::new(config))
}
