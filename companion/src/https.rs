//! The relay's HTTPS client: ureq over rustls (ring), blocking. It presents the clinic's
//! certificate, trusts only the configured CA for the service, has connect and overall
//! timeouts and a response size limit, and goes through the proxy the standard environment
//! variables name (`HTTPS_PROXY`, `ALL_PROXY`, `HTTP_PROXY`, `NO_PROXY`; on Windows also the
//! system's proxy setting) — Japanese clinic networks often allow nothing else out.
//! A service on the loopback address is never reached through a proxy.

use crate::tls::Identity;
use std::sync::Arc;
use std::time::Duration;
use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};

pub const MAX_BODY: u64 = 4 * 1024 * 1024;

/// The longest a connection (proxy and TLS handshake included) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpsError {
    /// Nothing listening, no route, no name, or the proxy refused.
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

    /// Loopback services (tests, a local gateway) are never reached through a proxy.
    pub fn is_loopback(&self) -> bool {
        let h = self.host.trim_start_matches('[').trim_end_matches(']');
        h.eq_ignore_ascii_case("localhost")
            || h.parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    fn url(&self, path: &str) -> String {
        format!(
            "https://{}:{}{}{path}",
            self.host, self.port, self.base_path
        )
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// One configured connection to the eligibility service.
pub struct Client {
    agent: ureq::Agent,
    endpoint: Endpoint,
}

/// The key in ureq's form. ureq takes a key as DER only with a kind it does not export, so
/// it goes over as PEM (the three labels rustls reads), wiped afterwards.
fn key(identity: &Identity) -> Result<PrivateKey<'static>, String> {
    use base64::Engine;
    use rustls_pki_types::PrivateKeyDer;
    let label = match &identity.key {
        PrivateKeyDer::Pkcs1(_) => "RSA PRIVATE KEY",
        PrivateKeyDer::Sec1(_) => "EC PRIVATE KEY",
        _ => "PRIVATE KEY",
    };
    let b64 = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD.encode(identity.key.secret_der()),
    );
    let mut pem = zeroize::Zeroizing::new(format!("-----BEGIN {label}-----\n"));
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    PrivateKey::from_pem(pem.as_bytes())
        .map_err(|e| format!("施術所の秘密鍵を読めません / cannot use the client key: {e}"))
}

/// The proxy for `endpoint`: the environment's (or Windows'), never for loopback.
pub fn proxy_for(endpoint: &Endpoint) -> Option<ureq::Proxy> {
    if endpoint.is_loopback() {
        return None;
    }
    ureq::Proxy::try_from_env()
}

impl Client {
    /// `ca`: the certificates the service's must chain to (nothing else is trusted).
    pub fn new(
        endpoint: Endpoint,
        ca: &[rustls_pki_types::CertificateDer<'static>],
        identity: &Identity,
        timeout: Duration,
    ) -> Result<Client, String> {
        let roots: Vec<Certificate<'static>> = ca
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        let chain: Vec<Certificate<'static>> = identity
            .certs
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        let tls = TlsConfig::builder()
            .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .root_certs(RootCerts::new_with_certs(&roots))
            .client_cert(Some(ClientCert::new_with_certs(&chain, key(identity)?)))
            .build();
        let proxy = proxy_for(&endpoint);
        if let Some(p) = &proxy {
            // Where requests go, for support; never the proxy's credentials.
            crate::info!("relay goes through the proxy {}:{}", p.host(), p.port());
        }
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .proxy(proxy)
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(timeout.min(CONNECT_TIMEOUT)))
            .timeout_global(Some(timeout))
            .user_agent(concat!("ukemi-companion/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Client { agent, endpoint })
    }

    /// POSTs `body` to `path` (under the endpoint's base path) and reads the whole answer.
    pub fn post(
        &self,
        path: &str,
        content_type: &str,
        body: &[u8],
        request_id: &str,
    ) -> Result<Response, HttpsError> {
        let mut r = self
            .agent
            .post(&self.endpoint.url(path))
            .header("Content-Type", content_type)
            .header("X-Request-Id", request_id)
            .send(body)
            .map_err(classify)?;
        let status = r.status().as_u16();
        let body = r
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(classify)?;
        Ok(Response { status, body })
    }
}

/// ureq's errors in the relay's four kinds (which decide retrying and what the page shows).
fn classify(e: ureq::Error) -> HttpsError {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => HttpsError::Timeout,
        E::Rustls(e) => HttpsError::Tls(e.to_string()),
        E::Tls(e) => HttpsError::Tls(e.to_string()),
        E::Io(io) => io_kind(&io),
        E::HostNotFound | E::ConnectionFailed => HttpsError::Connect(e.to_string()),
        E::ConnectProxyFailed(why) => HttpsError::Connect(format!("proxy: {why}")),
        E::BodyExceedsLimit(_) => HttpsError::Malformed("response too large".into()),
        other => HttpsError::Malformed(other.to_string()),
    }
}

fn io_kind(e: &std::io::Error) -> HttpsError {
    use std::io::ErrorKind as K;
    let rustls = e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>());
    match e.kind() {
        _ if rustls => HttpsError::Tls(e.to_string()),
        K::WouldBlock | K::TimedOut => HttpsError::Timeout,
        K::InvalidData => HttpsError::Tls(e.to_string()),
        _ => HttpsError::Connect(e.to_string()),
    }
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
        assert_eq!(e.url("/x"), "https://127.0.0.1:8443/api/v1/x");
        assert!(e.is_loopback());
        let e = Endpoint::parse("https://service.example.jp").expect("ok");
        assert_eq!((e.port, e.base_path.as_str()), (443, ""));
        assert!(!e.is_loopback());
        assert!(Endpoint::parse("https://[::1]:9/")
            .expect("ok")
            .is_loopback());
        assert!(Endpoint::parse("http://x").is_err());
        assert!(Endpoint::parse("https://:1").is_err());
    }
}
