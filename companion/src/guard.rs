//! Who may talk to the companion. A WebSocket is not covered by CORS, so the `Origin`
//! check at the handshake is what stops any web site from driving the card; the `Host`
//! check stops DNS rebinding (a hostile name re-pointed at 127.0.0.1).

use ukemi_core::protocol::session::Access;

/// The origins allowed to open the WebSocket, those trusted without pairing, and those
/// allowed the book.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    pub port: u16,
    /// May connect, must pair.
    pub allowed: Vec<String>,
    /// May connect without pairing (set by the clinic's administrator).
    pub trusted: Vec<String>,
    /// May connect, must pair, and may read and change the clinic's book: the clinic app
    /// hosted somewhere other than this companion (`--book-origin`). The companion's own
    /// origins always may; an origin only allowed or trusted (a vendor's portal) may not.
    pub book: Vec<String>,
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
            || self.may_use_book(&o)
            || self.allowed.iter().any(|a| normalise_origin(a) == o)
    }

    /// Whether pages from `origin` may read and change the clinic's book.
    pub fn may_use_book(&self, origin: &str) -> bool {
        let o = normalise_origin(origin);
        self.own_origins().contains(&o) || self.book.iter().any(|b| normalise_origin(b) == o)
    }

    /// What the administrator allows pages from `origin`.
    pub fn access(&self, origin: &str) -> Access {
        Access {
            trusted: self.is_trusted(origin),
            book: self.may_use_book(origin),
        }
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
            trusted: vec!["https://admin.example.jp".into()],
            book: vec!["https://app.clinic.example.jp".into()],
        }
    }

    #[test]
    fn the_book_is_for_the_companions_own_pages_and_the_listed_app_only() {
        let p = policy();
        assert!(p.may_use_book("http://127.0.0.1:47615"));
        assert!(p.may_use_book("http://localhost:47615/"));
        assert!(p.may_use_book("https://app.clinic.example.jp:443"));
        assert!(
            p.is_allowed("https://app.clinic.example.jp"),
            "a book origin may connect"
        );
        // A vendor's portal (allowed) and an administrator's page (trusted) check eligibility
        // only.
        assert!(!p.may_use_book("https://portal.example.jp"));
        assert!(!p.may_use_book("https://admin.example.jp"));
        assert!(p.access("https://admin.example.jp").trusted);
        assert!(!p.may_use_book("http://127.0.0.1:8080"));
        assert!(!p.may_use_book("https://app.clinic.example.jp.evil.example"));
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
