//! The companion serves the built app as `cargo xtask dist` left it: the brotli or gzip
//! copy when the browser accepts it (`Content-Encoding`, `Vary: Accept-Encoding`),
//! Trunk's content-hashed files cached for a year (`immutable`), index.html revalidated,
//! and the same security headers on every answer. Over real HTTP against the real binary.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use ukemi_e2e::{dist, Companion};

struct Answer {
    status: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn request(port: u16, method: &str, path: &str, accept_encoding: Option<&str>) -> Answer {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let ae = accept_encoding
        .map(|a| format!("Accept-Encoding: {a}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{ae}Connection: close\r\n\r\n"
    )
    .expect("write");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap_or_default().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip body");
    out
}

/// The app's hashed wasm (Trunk's `filehash`), e.g. `ukemi-web-4cb6b966343d224b_bg.wasm`.
fn hashed_wasm(dist: &Path) -> PathBuf {
    std::fs::read_dir(dist)
        .expect("dist")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "wasm")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("ukemi-web-"))
        })
        .expect("the app's wasm in dist")
}

fn assert_security_headers(a: &Answer, what: &str) {
    let csp = a.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{what}: CSP {csp:?}"
    );
    assert_eq!(
        a.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(a.header("x-frame-options"), Some("DENY"), "{what}");
    assert!(a.header("referrer-policy").is_some(), "{what}");
}

#[test]
fn assets_are_sent_precompressed_with_cache_rules_and_security_headers() {
    let dist = dist(false);
    let wasm = hashed_wasm(&dist);
    let wasm_url = format!(
        "/{}",
        wasm.file_name().unwrap_or_default().to_string_lossy()
    );
    assert!(
        Path::new(&format!("{}.br", wasm.display())).is_file()
            && Path::new(&format!("{}.gz", wasm.display())).is_file(),
        "cargo xtask dist writes .br and .gz beside {}",
        wasm.display()
    );
    let comp = Companion::start(&["--serve", &dist.to_string_lossy()]);
    let raw = std::fs::read(&wasm).expect("wasm");

    // A browser's usual header: brotli, the smallest.
    let br = request(comp.port, "GET", &wasm_url, Some("gzip, deflate, br, zstd"));
    assert!(br.status.contains("200"), "{}", br.status);
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.header("content-type"), Some("application/wasm"));
    assert_eq!(br.header("vary"), Some("Accept-Encoding"));
    assert_eq!(
        br.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        br.body,
        std::fs::read(format!("{}.br", wasm.display())).expect("br"),
        "the brotli copy as written"
    );
    assert!(
        br.body.len() * 2 < raw.len(),
        "brotli is much smaller than the wasm"
    );
    assert_eq!(
        br.header("content-length"),
        Some(br.body.len().to_string().as_str())
    );
    assert_security_headers(&br, "wasm, br");

    // Without brotli: gzip, which decodes to the very file.
    let gz = request(comp.port, "GET", &wasm_url, Some("gzip;q=1.0, br;q=0"));
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gunzip(&gz.body), raw);
    assert_security_headers(&gz, "wasm, gzip");

    // Neither (or no header): the file itself, still marked as varying.
    for accept in [None, Some("identity")] {
        let plain = request(comp.port, "GET", &wasm_url, accept);
        assert_eq!(plain.header("content-encoding"), None, "{accept:?}");
        assert_eq!(plain.header("vary"), Some("Accept-Encoding"));
        assert_eq!(plain.body, raw, "{accept:?}");
    }

    // index.html names the current hashed files: revalidated every time, compressed too,
    // and its CSP still allows Trunk's inline loader by the hash of the uncompressed page.
    let index = request(comp.port, "GET", "/", Some("gzip"));
    assert_eq!(index.header("content-encoding"), Some("gzip"));
    assert_eq!(index.header("cache-control"), Some("no-cache"));
    let page = gunzip(&index.body);
    assert_eq!(page, std::fs::read(dist.join("index.html")).expect("index"));
    assert_security_headers(&index, "index.html");
    assert!(
        index
            .header("content-security-policy")
            .unwrap_or_default()
            .contains("'sha256-"),
        "the inline loader's hash"
    );

    // HEAD: the same head, no body.
    let head = request(comp.port, "HEAD", &wasm_url, Some("br"));
    assert_eq!(head.header("content-encoding"), Some("br"));
    assert_eq!(head.header("content-length"), br.header("content-length"));
    assert!(head.body.is_empty());

    // What is not a file is still refused, with the headers and no caching.
    let missing = request(comp.port, "GET", "/nope.js", Some("br"));
    assert!(missing.status.contains("404"), "{}", missing.status);
    assert_eq!(missing.header("cache-control"), Some("no-store"));
    assert_security_headers(&missing, "404");
}
