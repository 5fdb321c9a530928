//! Harness for the end-to-end tests: starts the real `ukemi-companion` binary on port 0,
//! learns its port and pairing code from what it prints (as a person would read them),
//! and speaks the protocol over a real WebSocket.

pub mod pdf;
pub mod webdriver;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message as Frame, WebSocket};
use ukemi_core::protocol::{decode_server, ClientMessage, Command as Cmd, Message, ServerMessage};

/// The error code of a message, if it is an error.
pub fn error_code(m: &Message) -> Option<ukemi_core::protocol::ErrorCode> {
    match m {
        Message::Error { code, .. } => Some(*code),
        _ => None,
    }
}

/// The app's screens, by their `#hash` names, in the navigation's order.
pub const SCREENS: [&str; 6] = [
    "reception",
    "patients",
    "records",
    "claims",
    "settings",
    "readiness",
];

/// Opens a screen by its link and waits until it is the current one.
pub fn open_screen(b: &webdriver::Browser, screen: &str) {
    b.click(&format!("#nav-{screen}"));
    b.wait_for(
        &format!("#nav-{screen}[aria-current=page]"),
        Duration::from_secs(60),
    );
}

/// How many CSS pixels the page scrolls sideways (0 or less: it fits the window).
pub fn sideways(b: &webdriver::Browser) -> i64 {
    b.exec(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        serde_json::json!([]),
    )
    .as_i64()
    .unwrap_or(i64::MAX)
}

/// Presses 設定's 「記録を保存」 and returns the file the page offered (read from its Blob).
pub fn save_support_log(b: &webdriver::Browser) -> String {
    b.exec(
        "window.__logBlobs = []; const o = URL.createObjectURL.bind(URL);
         URL.createObjectURL = (x) => { window.__logBlobs.push(x); return o(x); };",
        serde_json::json!([]),
    );
    b.click("#log-save");
    b.wait_for("#log-message", Duration::from_secs(30));
    let text = b
        .exec_async(
            "const done = arguments[arguments.length - 1];
             window.__logBlobs[window.__logBlobs.length - 1].text().then(done);",
            serde_json::json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string();
    let _ = std::fs::write(artifacts_dir().join("support-log.txt"), &text);
    text
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The companion binary: `UKEMI_COMPANION_BIN` (set by `cargo xtask test`), else the
/// debug build in the workspace's target folder.
pub fn companion_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("UKEMI_COMPANION_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let bin = target.join("debug").join("ukemi-companion");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo xtask test`, or `cargo build -p ukemi-companion` first",
        bin.display()
    );
    bin
}

/// The built app (`UKEMI_DIST`, set by `cargo xtask test`, else target/dist); with
/// `widget`, it must hold the widget build too. Panics with what to run when it is missing.
pub fn dist(widget: bool) -> PathBuf {
    let dist = std::env::var_os("UKEMI_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/dist"));
    assert!(
        dist.join("index.html").is_file(),
        "{} has no built app: run `cargo xtask test`",
        dist.display()
    );
    if widget {
        assert!(
            dist.join("widget/ukemi_widget_bg.wasm").is_file(),
            "no widget in {}: run `cargo xtask dist`",
            dist.display()
        );
    }
    dist
}

/// Where tests keep what a person would want to look at afterwards (screenshots, logs).
pub fn artifacts_dir() -> PathBuf {
    let dir = workspace_root().join("target").join("e2e-artifacts");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

pub struct Companion {
    child: Child,
    pub port: u16,
    pub pairing_code: String,
    pub log_path: PathBuf,
    pub state_dir: PathBuf,
}

impl Companion {
    /// Starts `ukemi-companion --simulator --port 0 …extra`.
    pub fn start(extra: &[&str]) -> Companion {
        Self::spawn(&["--simulator"], extra, &[])
    }

    /// Starts the companion with explicit mode arguments (e.g. `--reader sim --config F`).
    pub fn start_with_mode(mode: &[&str]) -> Companion {
        Self::spawn(mode, &[], &[])
    }

    /// The same, with extra environment variables.
    pub fn start_with_mode_env(mode: &[&str], env: &[(&str, &str)]) -> Companion {
        Self::spawn(mode, &[], env)
    }

    /// Starts the companion on real PC/SC readers with the simulated service.
    pub fn start_pcsc(extra: &[&str], env: &[(&str, &str)]) -> Companion {
        Self::spawn(&["--reader", "pcsc", "--service", "sim"], extra, env)
    }

    /// Starts the companion on PC/SC inside a private mount namespace with its own pcscd that
    /// has no readers configured (so it cannot disturb the rig's daemon). The private pcscd
    /// exits by itself 60 s after its last client (`--auto-exit`).
    pub fn start_pcsc_without_readers() -> Companion {
        let script = format!(
            "set -e; mount -t tmpfs ukemi-pcscd /run/pcscd; empty=$(mktemp -d); \
             pcscd --foreground --auto-exit -c \"$empty\" >/dev/null 2>&1 & \
             for i in $(seq 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done; \
             exec {} \"$@\"",
            companion_bin().display()
        );
        Self::spawn_with(
            "unshare",
            &[
                "--mount",
                "--propagation",
                "private",
                "bash",
                "-c",
                &script,
                "ukemi-companion",
                "--reader",
                "pcsc",
                "--service",
                "sim",
            ],
            &[],
            &[],
        )
    }

    fn spawn(mode: &[&str], extra: &[&str], env: &[(&str, &str)]) -> Companion {
        Self::spawn_with(&companion_bin().to_string_lossy(), mode, extra, env)
    }

    fn spawn_with(program: &str, mode: &[&str], extra: &[&str], env: &[(&str, &str)]) -> Companion {
        static STARTED: AtomicU64 = AtomicU64::new(0);
        let unique = format!(
            "{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::SeqCst)
        );
        let state_dir = std::env::temp_dir().join(format!("ukemi-e2e-state-{unique}"));
        let log_path = artifacts_dir().join(format!("companion-{unique}.log"));
        let log = std::fs::File::create(&log_path).expect("log file");
        let mut child = Command::new(program)
            .args(mode)
            .envs(env.iter().copied())
            .args(["--port", "0", "--state-dir"])
            .arg(&state_dir)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start ukemi-companion");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut port = None;
        let mut code = None;
        let deadline = Instant::now() + Duration::from_secs(30);
        while port.is_none() || code.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match rx.recv_timeout(left) {
                Ok(l) => l,
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "companion did not print its port and pairing code; log: {}",
                        log_path.display()
                    );
                }
            };
            if let Some(rest) = line.strip_prefix("listening on http://127.0.0.1:") {
                port = rest.trim_end_matches('/').parse().ok();
            }
            if let Some((_, c)) = line.split_once("pairing code: ") {
                code = Some(c.trim().to_string());
            }
        }
        Companion {
            child,
            port: port.unwrap_or_default(),
            pairing_code: code.unwrap_or_default(),
            log_path,
            state_dir,
        }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Opens a WebSocket with the given Origin (None: no Origin header).
    pub fn connect(&self, origin: Option<&str>) -> Result<Client, String> {
        self.connect_with(origin, &format!("127.0.0.1:{}", self.port), "/v1")
    }

    pub fn connect_with(
        &self,
        origin: Option<&str>,
        host: &str,
        path: &str,
    ) -> Result<Client, String> {
        let mut req = format!("ws://127.0.0.1:{}{path}", self.port)
            .into_client_request()
            .map_err(|e| e.to_string())?;
        req.headers_mut().insert(
            "Host",
            HeaderValue::from_str(host).map_err(|e| e.to_string())?,
        );
        if let Some(o) = origin {
            req.headers_mut().insert(
                "Origin",
                HeaderValue::from_str(o).map_err(|e| e.to_string())?,
            );
        }
        let stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        let (ws, _) =
            tungstenite::client(req, MaybeTlsStream::Plain(stream)).map_err(|e| match e {
                tungstenite::handshake::HandshakeError::Failure(tungstenite::Error::Http(r)) => {
                    format!("HTTP {}", r.status())
                }
                other => other.to_string(),
            })?;
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            let _ = s.set_read_timeout(Some(Duration::from_secs(15)));
        }
        Ok(Client {
            ws,
            next_req: 1,
            events: Vec::new(),
        })
    }

    /// Connects from the companion's own origin, says HELLO and pairs.
    pub fn paired_client(&self) -> Client {
        let mut c = self.connect(Some(&self.origin())).expect("connect");
        c.hello();
        let m = c.call(Cmd::Pair {
            code: self.pairing_code.clone(),
        });
        assert!(matches!(m, Message::Paired { .. }), "pairing failed: {m:?}");
        c
    }
}

impl Drop for Companion {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.state_dir);
    }
}

pub struct Client {
    pub ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_req: u64,
    /// Events (no `req`) seen while waiting for answers.
    pub events: Vec<Message>,
}

impl Client {
    pub fn send_raw(&mut self, text: &str) {
        self.ws.send(Frame::text(text)).expect("send");
    }

    pub fn send(&mut self, command: Cmd) -> u64 {
        let req = self.next_req;
        self.next_req += 1;
        let text = ukemi_core::protocol::encode(&ClientMessage {
            req: Some(req),
            command,
        });
        self.send_raw(&text);
        req
    }

    /// Next frame from the companion, decoded.
    pub fn recv(&mut self) -> Result<ServerMessage, String> {
        loop {
            match self.ws.read() {
                Ok(Frame::Text(t)) => return decode_server(t.as_str()),
                Ok(Frame::Close(f)) => return Err(format!("closed: {f:?}")),
                Ok(_) => continue,
                // A signal (a child process of the test ending) interrupted the read.
                Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                    continue
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    /// The final answer to `req` (progress messages and events are collected on the way).
    pub fn answer(&mut self, req: u64) -> Message {
        loop {
            let m = self.recv().expect("answer");
            match (m.req, &m.body) {
                (Some(r), Message::Progress { .. }) if r == req => self.events.push(m.body),
                (Some(r), _) if r == req => return m.body,
                _ => self.events.push(m.body),
            }
        }
    }

    pub fn call(&mut self, command: Cmd) -> Message {
        let req = self.send(command);
        self.answer(req)
    }

    pub fn hello(&mut self) -> Message {
        let m = self.call(Cmd::Hello {
            api_levels: vec![1],
            client: ukemi_core::protocol::ClientInfo {
                name: "e2e".into(),
                version: "0".into(),
            },
        });
        assert!(matches!(m, Message::Hello { .. }), "{m:?}");
        m
    }

    /// Waits for an event matching `pred`, up to `timeout`.
    pub fn wait_event(
        &mut self,
        timeout: Duration,
        pred: impl Fn(&Message) -> bool,
    ) -> Option<Message> {
        if let Some(i) = self.events.iter().position(&pred) {
            return Some(self.events.remove(i));
        }
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            match self.recv() {
                Ok(m) if pred(&m.body) => return Some(m.body),
                Ok(m) => self.events.push(m.body),
                Err(_) => return None,
            }
        }
        None
    }
}

/// A simulated persona's card in vsmartcard's virtual reader (`ukemi-companion virtual-card`).
/// Dropping it takes the card out.
pub struct VirtualCard {
    child: Child,
}

impl VirtualCard {
    pub fn insert(persona: &str, extra: &[&str]) -> VirtualCard {
        let mut child = Command::new(companion_bin())
            .args(["virtual-card", "--persona", persona])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start virtual-card");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        match lines.next() {
            Some(Ok(l)) if l.starts_with("card inserted") => {}
            other => {
                let _ = child.kill();
                panic!("virtual card did not connect to vpcd (is pcscd running?): {other:?}");
            }
        }
        std::thread::spawn(move || for _ in lines.by_ref() {});
        VirtualCard { child }
    }

    /// Waits until the card left by itself (e.g. `--remove-after-apdus`).
    pub fn wait(mut self) {
        let _ = self.child.wait();
    }
}

impl Drop for VirtualCard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain static file server on 127.0.0.1 (GET only), standing in for "any web server":
/// the demo build must work from static files alone, with no companion at all.
pub struct StaticServer {
    pub port: u16,
}

impl StaticServer {
    pub fn start(root: PathBuf) -> StaticServer {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                std::thread::spawn(move || serve_static(stream, &root));
            }
        });
        StaticServer { port }
    }
}

fn serve_static(mut stream: TcpStream, root: &std::path::Path) {
    use std::io::{Read, Write};
    let mut buf = [0u8; 8192];
    let mut head = Vec::new();
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let path = text
        .split(' ')
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    let rel = path.trim_start_matches('/');
    let file = if rel.is_empty() {
        root.join("index.html")
    } else {
        root.join(rel)
    };
    let (status, body) = match (rel.contains(".."), std::fs::read(&file)) {
        (false, Ok(b)) => ("200 OK", b),
        _ => ("404 Not Found", b"not found".to_vec()),
    };
    let ctype = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css",
        _ => "application/octet-stream",
    };
    let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    let _ = stream.write_all(&body);
}
