//! Harness for the end-to-end tests: starts the real `ukemi-companion` binary on port 0,
//! learns its port from what it prints, speaks the protocol over a real WebSocket, and
//! approves pairings on the companion's approval page over HTTP as the person at the PC
//! would (one browser test clicks through that page itself).

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
use ukemi_core::protocol::auth::{self, Binding, SharedKey, NONCE_LEN};
use ukemi_core::protocol::{
    decode_server, ClientMessage, Command as Cmd, Message, ServerMessage, API_LEVELS,
};

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

/// What runs the companion binary, when it is not run directly: `UKEMI_COMPANION_RUNNER`
/// (`cargo xtask test` sets Wine's loader to run the Windows .exe).
pub fn companion_runner() -> Option<String> {
    std::env::var("UKEMI_COMPANION_RUNNER")
        .ok()
        .filter(|r| !r.is_empty())
}

/// A command running the companion binary (through the runner, when there is one).
pub fn companion_command() -> Command {
    match companion_runner() {
        Some(runner) => {
            let mut c = Command::new(runner);
            c.arg(companion_bin());
            c
        }
        None => Command::new(companion_bin()),
    }
}

/// The developers' tools (`ukemi-devtools`: the simulated service, its test certificates,
/// the virtual card): `UKEMI_DEVTOOLS_BIN`, else beside the companion's debug build.
pub fn devtools_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("UKEMI_DEVTOOLS_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let bin = target.join("debug").join("ukemi-devtools");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo xtask test`, or `cargo build -p ukemi-devtools` first",
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
    pub log_path: PathBuf,
    pub state_dir: PathBuf,
    /// A companion started on a kept data folder leaves it when it ends.
    keep_state: bool,
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
        // Under a runner (Wine, for the Windows .exe) the binary is its first argument.
        if let Some(runner) = companion_runner() {
            let bin = companion_bin().to_string_lossy().into_owned();
            let mode: Vec<&str> = std::iter::once(bin.as_str())
                .chain(mode.iter().copied())
                .collect();
            return Self::spawn_with(&runner, &mode, extra, env);
        }
        Self::spawn_with(&companion_bin().to_string_lossy(), mode, extra, env)
    }

    /// Starts `ukemi-companion --simulator` on `state_dir` (kept when it ends) and `port`
    /// (0 = any): a companion restarted on the same data folder and port, as a clinic's is.
    pub fn start_in(state_dir: &std::path::Path, port: u16, extra: &[&str]) -> Companion {
        let port = port.to_string();
        let args: Vec<&str> = ["--port", port.as_str()]
            .into_iter()
            .chain(extra.iter().copied())
            .collect();
        let mut c = Self::spawn_at(
            &companion_bin().to_string_lossy(),
            &["--simulator"],
            &args,
            &[],
            Some(state_dir.to_path_buf()),
        );
        c.keep_state = true;
        c
    }

    /// Ends the companion with SIGKILL (no chance to finish anything); its folder stays.
    pub fn kill(mut self) -> PathBuf {
        self.keep_state = true;
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.state_dir.clone()
    }

    fn spawn_with(program: &str, mode: &[&str], extra: &[&str], env: &[(&str, &str)]) -> Companion {
        Self::spawn_at(program, mode, extra, env, None)
    }

    fn spawn_at(
        program: &str,
        mode: &[&str],
        extra: &[&str],
        env: &[(&str, &str)],
        state: Option<PathBuf>,
    ) -> Companion {
        static STARTED: AtomicU64 = AtomicU64::new(0);
        let unique = format!(
            "{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::SeqCst)
        );
        let port_given = extra.first() == Some(&"--port");
        let state_dir =
            state.unwrap_or_else(|| std::env::temp_dir().join(format!("ukemi-e2e-state-{unique}")));
        let log_path = artifacts_dir().join(format!("companion-{unique}.log"));
        let log = std::fs::File::create(&log_path).expect("log file");
        let mut child = Command::new(program)
            .args(mode)
            .envs(env.iter().copied())
            .args(if port_given {
                &[][..]
            } else {
                &["--port", "0"][..]
            })
            .arg("--state-dir")
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
        let mut approval = false;
        let deadline = Instant::now() + Duration::from_secs(30);
        while port.is_none() || !approval {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match rx.recv_timeout(left) {
                Ok(l) => l,
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "companion did not print its port and approval page; log: {}",
                        log_path.display()
                    );
                }
            };
            if let Some(rest) = line.strip_prefix("listening on http://127.0.0.1:") {
                port = rest.trim_end_matches('/').parse().ok();
            }
            if line.contains("approve pairings: http://127.0.0.1:") {
                approval = true;
            }
        }
        Companion {
            child,
            port: port.unwrap_or_default(),
            log_path,
            state_dir,
            keep_state: false,
        }
    }

    fn http(&self) -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into()
    }

    /// The requests waiting on the approval page: (id, origin, code).
    pub fn pending(&self) -> Vec<(String, String, String)> {
        let url = format!("{}/pair/requests", self.origin());
        let Ok(mut r) = self.http().get(&url).call() else {
            return vec![];
        };
        let v: serde_json::Value = r.body_mut().read_json().unwrap_or_default();
        v["pending"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        let f = |k: &str| p[k].as_str().unwrap_or_default().to_string();
                        (f("id"), f("origin"), f("code"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Presses 承認する (or 拒否する) on the approval page for the request showing `code`,
    /// as the person at the PC would. Returns the HTTP status.
    pub fn decide(&self, code: &str, approve: bool) -> u16 {
        self.decide_from(code, approve, &self.origin())
    }

    /// The same, with the form posted from `origin` (another site must be refused).
    pub fn decide_from(&self, code: &str, approve: bool, origin: &str) -> u16 {
        let id = self
            .pending()
            .into_iter()
            .find(|(_, _, c)| c == code)
            .map(|(id, _, _)| id)
            .unwrap_or_else(|| panic!("no request with code {code} on the approval page"));
        let body = format!(
            "id={id}&decision={}",
            if approve { "approve" } else { "refuse" }
        );
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        agent
            .post(&format!("{}/pair/decide", self.origin()))
            .header("Origin", origin)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(body.as_bytes())
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }

    /// Waits for a request from `origin` on the approval page and approves it; its code.
    pub fn approve_next(&self, origin: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some((_, _, code)) = self.pending().into_iter().find(|(_, o, _)| o == origin) {
                assert_eq!(self.decide(&code, true), 303, "approval refused");
                return code;
            }
            assert!(
                Instant::now() < deadline,
                "no pairing request from {origin} reached the approval page"
            );
            std::thread::sleep(Duration::from_millis(100));
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
            origin: origin.unwrap_or_default().to_string(),
            host: host.to_string(),
            nonce: Vec::new(),
            companion_id: String::new(),
            key: None,
        })
    }

    /// Connects from the companion's own origin, says HELLO, asks to pair and has the
    /// request approved on the approval page. The client keeps the key.
    pub fn paired_client(&self) -> Client {
        let mut c = self.connect(Some(&self.origin())).expect("connect");
        c.hello();
        self.pair(&mut c);
        c
    }

    /// `PAIR` on a connection that said HELLO, approved on the approval page.
    pub fn pair(&self, c: &mut Client) {
        let req = c.send(Cmd::Pair);
        let code = match c.recv().map(|m| m.body) {
            Ok(Message::PairingPending { code, .. }) => code,
            other => panic!("expected PAIRING_PENDING: {other:?}"),
        };
        assert_eq!(self.decide(&code, true), 303);
        match c.answer(req) {
            Message::Paired { key, companion_id } => {
                c.key = SharedKey::from_hex(&key);
                c.companion_id = companion_id;
            }
            m => panic!("pairing failed: {m:?}"),
        }
    }
}

impl Drop for Companion {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.keep_state {
            let _ = std::fs::remove_dir_all(&self.state_dir);
        }
    }
}

pub struct Client {
    pub ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_req: u64,
    /// Events (no `req`) seen while waiting for answers.
    pub events: Vec<Message>,
    pub origin: String,
    /// The `host:port` dialled (the handshake's `Host`).
    pub host: String,
    /// From the last `HELLO` answer.
    pub nonce: Vec<u8>,
    pub companion_id: String,
    /// The key from `PAIRED`.
    pub key: Option<SharedKey>,
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
            api_levels: API_LEVELS.to_vec(),
            client: ukemi_core::protocol::ClientInfo {
                name: "e2e".into(),
                version: "0".into(),
            },
        });
        match &m {
            Message::Hello {
                nonce,
                companion_id,
                ..
            } => {
                self.nonce = auth::from_hex(nonce).unwrap_or_default();
                self.companion_id = companion_id.clone();
            }
            other => panic!("{other:?}"),
        }
        m
    }

    /// The `AUTH` a page sends with `key` after HELLO (page nonce `np`).
    pub fn auth_command(&self, key: &SharedKey, np: &[u8; NONCE_LEN]) -> Cmd {
        let b = Binding {
            origin: &self.origin,
            host: &self.host,
            companion_nonce: &self.nonce,
            page_nonce: np,
        };
        Cmd::Auth {
            nonce: auth::hex(np),
            proof: auth::hex(&auth::page_proof(key, &b)),
        }
    }

    /// Proves `key` after HELLO and checks the companion's proof, as a page does.
    pub fn authenticate(&mut self, key: &SharedKey) -> Message {
        let np: [u8; NONCE_LEN] =
            std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ self.next_req as u8);
        let m = self.call(self.auth_command(key, &np));
        if let Message::Authenticated { proof } = &m {
            let b = Binding {
                origin: &self.origin,
                host: &self.host,
                companion_nonce: &self.nonce,
                page_nonce: &np,
            };
            assert!(
                auth::proof_matches(&auth::companion_proof(key, &b), proof),
                "the companion's proof does not match"
            );
        }
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

/// A simulated persona's card in vsmartcard's virtual reader (`ukemi-devtools virtual-card`).
/// Dropping it takes the card out.
pub struct VirtualCard {
    child: Child,
}

impl VirtualCard {
    pub fn insert(persona: &str, extra: &[&str]) -> VirtualCard {
        let mut child = Command::new(devtools_bin())
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
    // A folder's address is its index.html, as on any web server (the demo is at /demo/).
    let file = if rel.is_empty() || rel.ends_with('/') {
        root.join(rel).join("index.html")
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

/// A program squatting a port a page tries first, pretending to be the companion: it
/// claims `companion_id` (the real one's, learnt from a HELLO), says `"pairing": "trusted"`,
/// answers `AUTH` with a made-up proof and `PAIR` with a made-up key, and records every
/// frame it receives.
pub struct Squatter {
    pub port: u16,
    pub received: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Squatter {
    pub fn start(companion_id: &str) -> Squatter {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (id, log) = (companion_id.to_string(), std::sync::Arc::clone(&received));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (id, log) = (id.clone(), std::sync::Arc::clone(&log));
                std::thread::spawn(move || squat(stream, &id, &log));
            }
        });
        Squatter { port, received }
    }

    pub fn frames(&self) -> Vec<String> {
        self.received.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

fn squat(stream: TcpStream, id: &str, log: &std::sync::Mutex<Vec<String>>) {
    use ukemi_core::protocol::{ClientInfo, PairingState};
    let Ok(mut ws) = tungstenite::accept(stream) else {
        return;
    };
    let reply = |req, body| ukemi_core::protocol::encode(&ServerMessage { req, body });
    while let Ok(frame) = ws.read() {
        let Frame::Text(t) = frame else { continue };
        if let Ok(mut l) = log.lock() {
            l.push(t.as_str().to_string());
        }
        let Ok(m) = ukemi_core::protocol::decode_client(t.as_str()) else {
            continue;
        };
        let body = match m.command {
            Cmd::Hello { .. } => Message::Hello {
                api_level: 2,
                companion: ClientInfo {
                    name: "ukemi-companion".into(),
                    version: "9".into(),
                },
                simulator: true,
                origin: "http://127.0.0.1".into(),
                pairing: PairingState::Trusted,
                features: vec!["check_by_card".into()],
                companion_id: id.to_string(),
                nonce: auth::hex(&[5u8; NONCE_LEN]),
            },
            Cmd::Auth { .. } => Message::Authenticated {
                proof: auth::hex(&[7u8; 32]),
            },
            Cmd::Pair => Message::Paired {
                companion_id: id.to_string(),
                key: auth::hex(&[9u8; 32]),
            },
            _ => Message::Ok,
        };
        if ws.send(Frame::text(reply(m.req, body))).is_err() {
            return;
        }
    }
}
