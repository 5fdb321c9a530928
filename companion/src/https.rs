//! One HTTPS request/response over rustls with plain blocking sockets: connect and read
//! timeouts, a response size limit, `Connection: close`. Enough for the relay's few calls
//! and for the simulated service's side.

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, ServerConfig, ServerConnection, StreamOwned};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

pub const MAX_BODY: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpsError {
    /// Nothing listening, or no route.
    Connect(String),
    /// The TLS handshake failed: untrusted server certificate, our certificate refused …
    Tls(String),
    Timeout,
    /// The answer was not HTTP, or too large.
    Malformed(String),
}

impl std::fmt::Display for HttpsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpsError::Connect(e) => write!(f, "connect: {e}"),
            HttpsError::Tls(e) => write!(f, "TLS: {e}"),
            HttpsError::Timeout => write!(f, "timed out"),
            HttpsError::Malformed(e) => write!(f, "bad response: {e}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    /// Path prefix, without a trailing slash.
    pub base_path: String,
}

impl Endpoint {
    /// Parses `https://host[:port][/path]`. Only https.
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let rest = url
            .strip_prefix("https://")
            .ok_or_else(|| format!("not an https:// URL: {url}"))?;
        let (authority, path) = rest
            .split_once('/')
            .map(|(a, p)| (a, format!("/{p}")))
            .unwrap_or((rest, String::new()));
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (
                h.to_string(),
                p.parse().map_err(|_| format!("bad port in {url}"))?,
            ),
            _ => (authority.to_string(), 443),
        };
        if host.is_empty() {
            return Err(format!("no host in {url}"));
        }
        Ok(Endpoint {
            host,
            port,
            base_path: path.trim_end_matches('/').to_string(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

fn io_to_error(e: std::io::Error, tls: bool) -> HttpsError {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => HttpsError::Timeout,
        std::io::ErrorKind::InvalidData if tls => HttpsError::Tls(e.to_string()),
        _ if tls && e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
            HttpsError::Tls(e.to_string())
        }
        _ => HttpsError::Connect(e.to_string()),
    }
}

/// POSTs `body` to `path` (under the endpoint's base path) and reads the whole answer.
pub fn post(
    config: &Arc<ClientConfig>,
    endpoint: &Endpoint,
    path: &str,
    content_type: &str,
    body: &[u8],
    request_id: &str,
    timeout: Duration,
) -> Result<Response, HttpsError> {
    let addr = (endpoint.host.as_str(), endpoint.port)
        .to_socket_addrs()
        .map_err(|e| HttpsError::Connect(e.to_string()))?
        .next()
        .ok_or_else(|| HttpsError::Connect("no address".into()))?;
    let tcp = TcpStream::connect_timeout(&addr, timeout.min(Duration::from_secs(10)))
        .map_err(|e| io_to_error(e, false))?;
    tcp.set_read_timeout(Some(timeout))
        .map_err(|e| HttpsError::Connect(e.to_string()))?;
    tcp.set_write_timeout(Some(timeout))
        .map_err(|e| HttpsError::Connect(e.to_string()))?;
    let name = ServerName::try_from(endpoint.host.clone())
        .map_err(|e| HttpsError::Connect(e.to_string()))?;
    let conn = ClientConnection::new(Arc::clone(config), name)
        .map_err(|e| HttpsError::Tls(e.to_string()))?;
    let mut tls = StreamOwned::new(conn, tcp);
    let head = format!(
        "POST {}{path} HTTP/1.1\r\nHost: {}:{}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         X-Request-Id: {request_id}\r\nConnection: close\r\n\r\n",
        endpoint.base_path,
        endpoint.host,
        endpoint.port,
        body.len()
    );
    tls.write_all(head.as_bytes())
        .and_then(|_| tls.write_all(body))
        .and_then(|_| tls.flush())
        .map_err(|e| io_to_error(e, true))?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                raw.extend_from_slice(&buf[..n]);
                if raw.len() > MAX_BODY + 16 * 1024 {
                    return Err(HttpsError::Malformed("response too large".into()));
                }
            }
            // A peer that closes without close_notify still sent a complete answer when the
            // Content-Length says so.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => break,
            // A signal arrived during the read: read again.
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_to_error(e, true)),
        }
    }
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Result<Response, HttpsError> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| HttpsError::Malformed("no header end".into()))?;
    let head = std::str::from_utf8(&raw[..end])
        .map_err(|_| HttpsError::Malformed("header not UTF-8".into()))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| HttpsError::Malformed("no status".into()))?;
    let mut length = None;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                length = v.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = raw[end + 4..].to_vec();
    if let Some(n) = length {
        if body.len() < n {
            return Err(HttpsError::Malformed("truncated body".into()));
        }
        body.truncate(n);
    }
    Ok(Response { status, body })
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
fn read_retrying(tls: &mut ServerStream, buf: &mut [u8]) -> Result<usize, HttpsError> {
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
                return Err(io_to_error(e, true));
            }
        }
    }
}

/// Accepts TLS on `tcp` and reads one request (head + Content-Length body).
pub fn read_request(
    config: &Arc<ServerConfig>,
    tcp: TcpStream,
) -> Result<(ServerStream, Request), HttpsError> {
    tcp.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| HttpsError::Connect(e.to_string()))?;
    let conn =
        ServerConnection::new(Arc::clone(config)).map_err(|e| HttpsError::Tls(e.to_string()))?;
    let mut tls = StreamOwned::new(conn, tcp);
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        let n = read_retrying(&mut tls, &mut buf)?;
        if n == 0 {
            return Err(HttpsError::Malformed("closed before a request".into()));
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if raw.len() > 16 * 1024 {
            return Err(HttpsError::Malformed("header too large".into()));
        }
    };
    let head = crate::http::parse_head(&raw[..head_end])
        .ok_or_else(|| HttpsError::Malformed("bad request line".into()))?;
    let length: usize = head
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if length > MAX_BODY {
        return Err(HttpsError::Malformed("body too large".into()));
    }
    let mut body = raw[head_end + 4..].to_vec();
    while body.len() < length {
        let n = read_retrying(&mut tls, &mut buf)?;
        if n == 0 {
            return Err(HttpsError::Malformed("truncated body".into()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let e = Endpoint::parse("https://127.0.0.1:8443/api/v1/").expect("ok");
        assert_eq!(
            (e.host.as_str(), e.port, e.base_path.as_str()),
            ("127.0.0.1", 8443, "/api/v1")
        );
        let e = Endpoint::parse("https://service.example.jp").expect("ok");
        assert_eq!((e.port, e.base_path.as_str()), (443, ""));
        assert!(Endpoint::parse("http://x").is_err());
        assert!(Endpoint::parse("https://:1").is_err());
    }

    #[test]
    fn responses() {
        let r = parse_response(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 3\r\n\r\nabcdef",
        )
        .expect("ok");
        assert_eq!((r.status, r.body.as_slice()), (200, &b"abc"[..]));
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc").is_err());
        assert!(parse_response(b"garbage").is_err());
    }
}
