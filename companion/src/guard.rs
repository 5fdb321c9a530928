//! Who may talk to the companion. A WebSocket is not covered by CORS, so the `Origin`
//! check at the handshake is what stops any web site from driving the card; the `Host`
//! check stops DNS rebinding (a hostile name re-pointed at 127.0.0.1).

/// The origins allowed to open the WebSocket, and those trusted without pairing.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    pub port: u16,
    /// May connect, must pair.
    pub allowed: Vec<String>,
    /// May connect without pairing (set by the clinic's administrator).
    pub trusted: Vec<String>,
}

/// Normalises an origin for comparison: lower-case, no trailing slash, default ports elided.
pub fn normalise_origin(o: &str) -> String {
    let o = o.trim().trim_end_matches('/').to_ascii_lowercase();
    o.strip_suffix(":80")
        .filter(|r| r.starts_with("http://"))
        .map(str::to_string)
        .or_else(|| {
            o.strip_suffix(":443")
                .filter(|r| r.starts_with("https://"))
                .map(str::to_string)
        })
        .unwrap_or(o)
}

impl OriginPolicy {
    /// The companion's own origins: the pages it serves itself.
    pub fn own_origins(&self) -> Vec<String> {
        ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .map(|h| format!("http://{h}:{}", self.port))
            .collect()
    }

    pub fn is_trusted(&self, origin: &str) -> bool {
        let o = normalise_origin(origin);
        self.trusted.iter().any(|t| normalise_origin(t) == o)
    }

    pub fn is_allowed(&self, origin: &str) -> bool {
        let o = normalise_origin(origin);
        self.is_trusted(&o)
            || self.own_origins().contains(&o)
            || self.allowed.iter().any(|a| normalise_origin(a) == o)
    }

    /// `Host` must name loopback with our own port.
    pub fn host_ok(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .any(|h| host == format!("{h}:{}", self.port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> OriginPolicy {
        OriginPolicy {
            port: 47615,
            allowed: vec!["https://portal.example.jp".into()],
            trusted: vec![],
        }
    }

    #[test]
    fn own_and_listed_origins_pass_others_fail() {
        let p = policy();
        assert!(p.is_allowed("http://127.0.0.1:47615"));
        assert!(p.is_allowed("http://localhost:47615/"));
        assert!(p.is_allowed("HTTPS://portal.example.jp:443"));
        assert!(!p.is_allowed("http://127.0.0.1:8080"));
        assert!(!p.is_allowed("https://evil.example"));
        assert!(!p.is_allowed("null"));
        assert!(!p.is_allowed("https://portal.example.jp.evil.example"));
    }

    #[test]
    fn host_must_be_loopback_with_our_port() {
        let p = policy();
        assert!(p.host_ok("127.0.0.1:47615"));
        assert!(p.host_ok("localhost:47615"));
        assert!(p.host_ok("[::1]:47615"));
        assert!(!p.host_ok("rebind.evil.example:47615"));
        assert!(!p.host_ok("127.0.0.1:47616"));
        assert!(!p.host_ok("127.0.0.1"));
    }
}
