//! Just enough HTTP/1.1 to serve the built app's static files from the same port as the
//! WebSocket, so the demo is one process. GET and HEAD only; everything else is refused.
//! Files are sent as the brotli or gzip copy `cargo xtask dist` wrote beside them when the
//! browser accepts it, and Trunk's content-hashed names are cached for a year.

use std::io::Write;
use std::net::TcpStream;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

pub const MAX_HEAD: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn is_websocket_upgrade(&self) -> bool {
        self.header("upgrade")
            .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
    }
}

/// Why no request head was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoHead {
    /// Not one byte came before the deadline (or the peer closed). Browsers open such
    /// sockets ahead of need (preconnect) and may send on one just as it is closed: it is
    /// closed without an answer, so the browser sends its request again on a new one
    /// instead of showing an answer meant for nothing ("bad request" on a form post).
    Silent,
    /// Part of a head, or not HTTP: answered 400.
    Bad,
}

/// Looks at the request head without consuming it, so a WebSocket handshake can still
/// read it from the socket afterwards. Returns the head and its length in bytes, or why
/// there is none within `deadline` (a slow or idle client holds no slot long).
pub fn peek_head(stream: &TcpStream, deadline: Duration) -> Result<(RequestHead, usize), NoHead> {
    let mut buf = vec![0u8; MAX_HEAD];
    let started = std::time::Instant::now();
    let mut last = 0;
    let timed_out = |last: usize| {
        if last == 0 {
            NoHead::Silent
        } else {
            NoHead::Bad
        }
    };
    loop {
        let left = deadline
            .checked_sub(started.elapsed())
            .ok_or(timed_out(last))?;
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .map_err(|_| NoHead::Bad)?;
        let n = stream.peek(&mut buf).map_err(|_| timed_out(last))?;
        if n == 0 {
            return Err(timed_out(last));
        }
        if let Some(end) = find(&buf[..n], b"\r\n\r\n") {
            return parse_head(&buf[..end])
                .map(|h| (h, end + 4))
                .ok_or(NoHead::Bad);
        }
        if n == MAX_HEAD {
            return Err(NoHead::Bad);
        }
        if n == last {
            // peek returns at once while bytes are waiting: wait for more to arrive.
            std::thread::sleep(Duration::from_millis(5));
        }
        last = n;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn parse_head(bytes: &[u8]) -> Option<RequestHead> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    if !first.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let headers = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    Some(RequestHead {
        method,
        path,
        headers,
    })
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Maps a URL path to a file under `root`, refusing anything that could step outside it.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let path = url_path.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path)?;
    let rel = Path::new(decoded.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut full = root.join(rel);
    if decoded.ends_with('/') || decoded.is_empty() {
        full = full.join("index.html");
    }
    let canon = full.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    (canon.starts_with(&root) && canon.is_file()).then_some(canon)
}

/// `/demo` when `/demo/index.html` exists: where to send the browser (`/demo/`, the query
/// kept), so a folder typed without its slash opens (its relative URLs need the slash).
/// Only plain names qualify: nothing from the request reaches the header unless it is
/// letters, digits, `-`, `_`, `.` or `/`.
pub fn folder_redirect(root: &Path, url_path: &str) -> Option<String> {
    let (path, query) = match url_path.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (url_path, String::new()),
    };
    let rel = path.trim_start_matches('/');
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/');
    if rel.is_empty() || path.ends_with('/') || !rel.chars().all(plain) {
        return None;
    }
    if !query.chars().skip(1).all(|c| c.is_ascii_graphic()) {
        return None;
    }
    let rel_path = Path::new(rel);
    if rel_path
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let index = root.join(rel_path).join("index.html").canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    (index.starts_with(&root) && index.is_file()).then(|| format!("/{rel}/{query}"))
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    let s = String::from_utf8(out).ok()?;
    (!s.contains('\0') && !s.contains('\\')).then_some(s)
}

/// Security headers on everything we serve (docs/reference/companions.md §8, rule 9).
/// Inline scripts that Trunk writes into index.html are allowed by hash, not by 'unsafe-inline'.
fn security_headers(script_hashes: &[String]) -> String {
    security_headers_with(script_hashes, "'none'")
}

/// The same, with the page's forms allowed to post to `form_action`. A page with forms
/// sends its referrer to its own origin only: under `no-referrer` a browser posts a form
/// with `Origin: null`, and the approval form must show its own origin to be accepted.
pub fn security_headers_with(script_hashes: &[String], form_action: &str) -> String {
    format!(
        "{}Cache-Control: no-store\r\n",
        policy_headers(script_hashes, form_action)
    )
}

/// The CSP and the other security headers, without a caching rule.
fn policy_headers(script_hashes: &[String], form_action: &str) -> String {
    let referrer = if form_action == "'none'" {
        "no-referrer"
    } else {
        "same-origin"
    };
    let hashes: String = script_hashes
        .iter()
        .map(|h| format!(" 'sha256-{h}'"))
        .collect();
    format!(
        "Content-Security-Policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; \
         frame-ancestors 'none'; base-uri 'none'; form-action {form_action}\r\n\
         X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: {referrer}\r\n"
    )
}

/// How long a browser may keep a served file. Trunk names the app's files by a hash of
/// their content (`style-19794f0bf0fc36ae.css`): such a name never holds other bytes, so it
/// is kept for a year without asking again. Everything else (index.html, which names the
/// current hashed files; the widget's loader; the postal data) is checked on every use.
pub fn cache_control(path: &Path) -> &'static str {
    if has_content_hash(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// `name-0123456789abcdef.ext` or `name-0123456789abcdef_bg.wasm`: Trunk's `filehash`, a
/// 64-bit hash in lower-case hex without leading zeros (so now and then 15 digits or fewer;
/// 12 or more are taken as a hash, which no word in our file names is).
fn has_content_hash(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.match_indices('-').any(|(i, _)| {
        let rest = &name.as_bytes()[i + 1..];
        let digits = rest
            .iter()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(*b))
            .count();
        (12..=16).contains(&digits) && matches!(rest.get(digits), Some(b'.' | b'_'))
    })
}

/// Does the request's `Accept-Encoding` allow `coding` (a `q` of 0 refuses it; `*`
/// stands for any coding not named)?
pub fn accepts(accept_encoding: Option<&str>, coding: &str) -> bool {
    let Some(header) = accept_encoding else {
        return false;
    };
    let mut wildcard = false;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if name.eq_ignore_ascii_case(coding) {
            return q > 0.0;
        }
        if name == "*" {
            wildcard = q > 0.0;
        }
    }
    wildcard
}

/// The copy of `path` to send: `F.br` or `F.gz` written beside it by `cargo xtask dist`,
/// when the browser accepts that coding (brotli first: it is the smaller). Returns the
/// file to read and its `Content-Encoding`, and whether any compressed copy exists (then
/// the answer depends on `Accept-Encoding`, and says so in `Vary`).
pub fn variant(
    path: &Path,
    accept_encoding: Option<&str>,
) -> (PathBuf, Option<&'static str>, bool) {
    let mut any = false;
    for (coding, ext) in [("br", "br"), ("gzip", "gz")] {
        let candidate = PathBuf::from(format!("{}.{ext}", path.display()));
        if candidate.is_file() {
            any = true;
            if accepts(accept_encoding, coding) {
                return (candidate, Some(coding), true);
            }
        }
    }
    (path.to_path_buf(), None, any)
}

/// SHA-256 (base64) of each inline `<script>` body in an HTML page, for the CSP.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use sha2::{Digest, Sha256};
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains(" src=") && !body.trim().is_empty() {
            out.push(base64(&Sha256::digest(body.as_bytes())));
        }
        rest = &after[body_start + close..];
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

pub fn respond(
    stream: &mut TcpStream,
    status: &str,
    ctype: &str,
    body: &[u8],
    head_only: bool,
    hashes: &[String],
) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n",
        body.len(),
        security_headers(hashes)
    );
    let _ = stream.write_all(head.as_bytes());
    if !head_only {
        let _ = stream.write_all(body);
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// Serves one static-file request and closes. The head (`head_len` bytes, only peeked so
/// far) is read first: closing a socket with unread input makes the kernel send a reset,
/// which can cut off the end of a large response.
pub fn serve_file(
    stream: &mut TcpStream,
    root: Option<&Path>,
    head: &RequestHead,
    head_len: usize,
) {
    let mut consumed = vec![0u8; head_len];
    let _ = std::io::Read::read_exact(stream, &mut consumed);
    let head_only = head.method == "HEAD";
    if head.method != "GET" && !head_only {
        return respond(
            stream,
            "405 Method Not Allowed",
            "text/plain; charset=utf-8",
            b"method not allowed\n",
            false,
            &[],
        );
    }
    let Some(root) = root else {
        let body = "ukemi-companion is running. It serves no pages (start it with --serve DIR).\n";
        return respond(
            stream,
            "200 OK",
            "text/plain; charset=utf-8",
            body.as_bytes(),
            head_only,
            &[],
        );
    };
    let Some(path) = resolve(root, &head.path) else {
        if let Some(to) = folder_redirect(root, &head.path) {
            let head = format!(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: {to}\r\nContent-Length: 0\r\nCache-Control: no-cache\r\n{}Connection: close\r\n\r\n",
                security_headers(&[])
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Write);
            return;
        }
        return respond(
            stream,
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"not found\n",
            head_only,
            &[],
        );
    };
    let ctype = content_type(&path);
    // The CSP's hashes are over the page as the browser runs it: the uncompressed file.
    let hashes = if ctype.starts_with("text/html") {
        std::fs::read(&path)
            .map(|b| inline_script_hashes(&String::from_utf8_lossy(&b)))
            .unwrap_or_default()
    } else {
        vec![]
    };
    let (file, encoding, vary) = variant(&path, head.header("accept-encoding"));
    let Ok(body) = std::fs::read(&file) else {
        return respond(
            stream,
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"not found\n",
            head_only,
            &[],
        );
    };
    let mut extra = format!("Cache-Control: {}\r\n", cache_control(&path));
    if let Some(coding) = encoding {
        extra.push_str(&format!("Content-Encoding: {coding}\r\n"));
    }
    if vary {
        extra.push_str("Vary: Accept-Encoding\r\n");
    }
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{}{extra}Connection: close\r\n\r\n",
        body.len(),
        policy_headers(&hashes, "'none'")
    );
    let _ = stream.write_all(head.as_bytes());
    if !head_only {
        let _ = stream.write_all(&body);
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_websocket_head() {
        let h = parse_head(
            b"GET /v1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\nUpgrade: websocket\r\nOrigin: http://x",
        )
        .expect("head");
        assert_eq!(h.path, "/v1");
        assert!(h.is_websocket_upgrade());
        assert_eq!(h.header("origin"), Some("http://x"));
        assert!(parse_head(b"garbage").is_none());
    }

    #[test]
    fn paths_cannot_escape_the_root() {
        let root = std::env::temp_dir().join(format!("ukemi-http-{}", std::process::id()));
        std::fs::create_dir_all(root.join("sub")).expect("dir");
        std::fs::write(root.join("index.html"), "<p>hi</p>").expect("write");
        std::fs::write(root.join("sub/a.js"), "1").expect("write");
        assert!(resolve(&root, "/").is_some());
        assert!(resolve(&root, "/sub/a.js?v=1").is_some());
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/sub/../../x",
            "/%00",
            "/..%5cx",
            "/nope",
        ] {
            assert!(resolve(&root, bad).is_none(), "{bad}");
        }
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn a_folder_without_its_slash_is_sent_to_the_folder() {
        let root = std::env::temp_dir().join(format!("ukemi-http-dir-{}", std::process::id()));
        std::fs::create_dir_all(root.join("demo")).expect("dir");
        std::fs::create_dir_all(root.join("empty")).expect("dir");
        std::fs::write(root.join("demo/index.html"), "<p>demo</p>").expect("write");
        assert_eq!(folder_redirect(&root, "/demo").as_deref(), Some("/demo/"));
        assert_eq!(
            folder_redirect(&root, "/demo?lang=en").as_deref(),
            Some("/demo/?lang=en")
        );
        for no in [
            "/demo/",
            "/empty",
            "/nope",
            "/",
            "/../demo",
            "//evil.example",
            "/demo%0d%0aSet-Cookie:x",
            "/demo?a\r\nb",
        ] {
            assert_eq!(folder_redirect(&root, no), None, "{no}");
        }
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn hashed_names_are_kept_a_year_and_the_rest_revalidated() {
        for hashed in [
            "/d/ukemi-web-4cb6b966343d224b_bg.wasm",
            "ukemi-web-4cb6b966343d224b.js",
            "style-19794f0bf0fc36ae.css",
            // A hash with a leading zero is written without it.
            "ukemi-web-91b586e0b878194_bg.wasm",
        ] {
            assert_eq!(
                cache_control(Path::new(hashed)),
                "public, max-age=31536000, immutable",
                "{hashed}"
            );
        }
        for plain in [
            "index.html",
            "ukemi_widget.js",
            "ukemi-eligibility.js",
            "postal/13.txt",
            "style-19794f0bf0f.css",
            "style-19794f0bf0fc36ae0.css",
            "style-19794f0bf0fc36aeX.css",
            "ukemi-widget-host.css",
        ] {
            assert_eq!(cache_control(Path::new(plain)), "no-cache", "{plain}");
        }
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts(Some("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(Some("gzip, deflate, br, zstd"), "gzip"));
        assert!(!accepts(Some("gzip"), "br"));
        assert!(!accepts(Some("br;q=0, gzip"), "br"));
        assert!(accepts(Some("br;q=0.5"), "br"));
        assert!(accepts(Some("*"), "br"));
        assert!(!accepts(Some("*, br;q=0"), "br"));
        assert!(!accepts(Some("identity"), "gzip"));
        assert!(!accepts(None, "gzip"));
    }

    #[test]
    fn the_smallest_accepted_copy_is_chosen() {
        let root = std::env::temp_dir().join(format!("ukemi-variant-{}", std::process::id()));
        std::fs::create_dir_all(&root).expect("dir");
        let f = root.join("a.js");
        std::fs::write(&f, "x").expect("write");
        assert_eq!(variant(&f, Some("gzip, br")), (f.clone(), None, false));
        std::fs::write(root.join("a.js.gz"), "g").expect("write");
        assert_eq!(
            variant(&f, Some("gzip, br")),
            (root.join("a.js.gz"), Some("gzip"), true)
        );
        std::fs::write(root.join("a.js.br"), "b").expect("write");
        assert_eq!(
            variant(&f, Some("gzip, br")),
            (root.join("a.js.br"), Some("br"), true)
        );
        assert_eq!(variant(&f, Some("identity")), (f.clone(), None, true));
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn hashes_inline_scripts_only() {
        let html =
            r#"<script src="/a.js"></script><script type="module">import x from '/x.js';</script>"#;
        let h = inline_script_hashes(html);
        assert_eq!(h.len(), 1);
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
    }
}
