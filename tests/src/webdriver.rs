//! A small synchronous WebDriver client for ChromeDriver driving Debian's headless
//! Chromium: enough to open pages, type, click, read text, run scripts, take screenshots
//! and print to PDF. Plain HTTP+JSON, no async runtime.

use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9515)
}

pub fn chromium_path() -> Option<String> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .find(|p| Path::new(p).exists())
        .map(|p| p.to_string())
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium with a new empty profile. Panics with a
    /// clear message when either is missing: browser tests are never silently skipped.
    pub fn start() -> Browser {
        let chromium = chromium_path()
            .expect("Chromium is not installed: run `cargo xtask test`, which installs it");
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed: run `cargo xtask test`, which installs it");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while agent.get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile =
            std::env::temp_dir().join(format!("ukemi-chromium-{}-{port}", std::process::id()));
        let _ = std::fs::create_dir_all(&profile);
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,1800", "--lang=ja",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let mut b = Browser {
            driver,
            base,
            session: String::new(),
            agent,
            _profile: TempDir(profile),
        };
        let v = b.post_raw("/session", &caps);
        b.session = v["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {v}"))
            .to_string();
        b
    }

    fn post_raw(&self, path: &str, body: &Value) -> Value {
        let url = format!("{}{path}", self.base);
        let mut resp = self
            .agent
            .post(&url)
            .send_json(body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        resp.body_mut()
            .read_json::<Value>()
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let v = self.post_raw(&format!("/session/{}{path}", self.session), &body);
        if let Some(err) = v["value"]["error"].as_str() {
            panic!("WebDriver {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    fn get(&self, path: &str) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut resp = self
            .agent
            .get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let v: Value = resp
            .body_mut()
            .read_json()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        if let Some(err) = v["value"]["error"].as_str() {
            panic!("WebDriver {path}: {err}: {}", v["value"]["message"]);
        }
        v["value"].clone()
    }

    pub fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    /// One record's raw value straight from the page's IndexedDB (null when absent).
    pub fn idb_get(&self, db: &str, store: &str, key: &str) -> Value {
        self.exec_async(
            "const [name, store, key, done] = arguments;
             const open = indexedDB.open(name);
             open.onsuccess = () => {
               const db = open.result;
               const get = db.transaction(store).objectStore(store).get(key);
               get.onsuccess = () => { db.close(); done(get.result === undefined ? null : get.result); };
               get.onerror = () => done('read failed');
             };
             open.onerror = () => done('open failed');",
            json!([db, store, key]),
        )
    }

    /// Waits until the stored record's text contains `needle`.
    pub fn wait_stored(&self, db: &str, store: &str, key: &str, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self
            .idb_get(db, store, key)
            .as_str()
            .is_some_and(|s| s.contains(needle))
        {
            assert!(
                Instant::now() < deadline,
                "{store}/{key} never stored {needle:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the record is gone from the store.
    pub fn wait_unstored(&self, db: &str, store: &str, key: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while !self.idb_get(db, store, key).is_null() {
            assert!(Instant::now() < deadline, "{store}/{key} still stored");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Reloads the page (a `goto` that only changes the `#hash` would not).
    /// The current window's handle.
    pub fn window(&self) -> String {
        self.get("/window").as_str().unwrap_or_default().to_string()
    }

    /// Opens a new tab (not switching to it); its handle.
    pub fn new_tab(&self) -> String {
        self.post("/window/new", json!({ "type": "tab" }))["handle"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn switch_to(&self, handle: &str) {
        self.post("/window", json!({ "handle": handle }));
    }

    pub fn reload(&self) {
        self.post("/refresh", json!({}));
    }

    /// Runs `script` in the page; `arguments` are available to it.
    pub fn exec(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
    }

    /// Runs `script` asynchronously: it calls `arguments[arguments.length - 1](value)` when done.
    pub fn exec_async(&self, script: &str, args: Value) -> Value {
        self.post("/execute/async", json!({ "script": script, "args": args }))
    }

    /// Runs axe-core (installed by `cargo xtask test` into target/tools) on the page, or on
    /// the shadow root of `within` when given; returns the serious and critical violations as
    /// "rule: target…" lines.
    pub fn axe_serious(&self, within: Option<&str>) -> Vec<String> {
        let path = crate::workspace_root().join("target/tools/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} — run `cargo xtask test`, which installs axe-core",
                path.display()
            )
        });
        self.exec(&source, json!([]));
        let v = self.exec_async(
            "const done = arguments[arguments.length - 1];
             const within = arguments[0];
             const ctx = within ? { include: [[within]] } : document;
             axe.run(ctx, { resultTypes: ['violations'] })
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ': ' + v.nodes.map(n => JSON.stringify(n.target)).join(' '))))
               .catch(e => done(['axe failed: ' + e]));",
            json!([within]),
        );
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn element(&self, css: &str) -> String {
        let v = self.post("/element", json!({ "using": "css selector", "value": css }));
        v[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    pub fn click(&self, css: &str) {
        let id = self.wait_for(css, Duration::from_secs(20));
        self.post(&format!("/element/{id}/click"), json!({}));
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.wait_for(css, Duration::from_secs(20));
        self.post(&format!("/element/{id}/clear"), json!({}));
        self.post(&format!("/element/{id}/value"), json!({ "text": text }));
    }

    /// Types into a field and leaves it with Tab, as a person would (which also saves it).
    pub fn fill(&self, css: &str, text: &str) {
        self.type_into(css, &format!("{text}\u{E004}"));
    }

    /// Sets a date input as its picker would: typed keys depend on the locale's field order.
    pub fn set_date(&self, css: &str, date: &str) {
        self.wait_for(css, Duration::from_secs(20));
        self.exec(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1];
             e.dispatchEvent(new Event('change', { bubbles: true }));",
            json!([css, date]),
        );
    }

    /// Chooses the `<option>` whose value is `value` and fires `change`, as a person would.
    pub fn select(&self, css: &str, value: &str) {
        self.wait_for(
            &format!("{css} option[value=\"{value}\"]"),
            Duration::from_secs(20),
        );
        let id = self.element(&format!("{css} option[value=\"{value}\"]"));
        self.post(&format!("/element/{id}/click"), json!({}));
    }

    /// Waits until an element matching `css` exists; returns its WebDriver id.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self.exec(
                "return document.querySelector(arguments[0]) !== null;",
                json!([css]),
            );
            if found.as_bool() == Some(true) {
                return self.element(css);
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {css}; page text:\n{}",
                self.body_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn text(&self, css: &str) -> String {
        let v = self.exec(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;",
            json!([css]),
        );
        v.as_str().unwrap_or_default().to_string()
    }

    pub fn body_text(&self) -> String {
        self.exec(
            "return document.body ? document.body.innerText : '';",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Waits until the text of `css` contains `needle`; returns that text.
    pub fn wait_text(&self, css: &str, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let t = self.text(css);
            if t.contains(needle) {
                return t;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needle:?} in {css}; it says {t:?}; page text:\n{}",
                self.body_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends keys to whatever has focus, as a keyboard would (WebDriver key codes: Tab is
    /// `\u{E004}`, Enter `\u{E007}`, Space `\u{E00D}`, arrow down `\u{E015}`).
    pub fn keys(&self, text: &str) {
        let v = self.get("/element/active");
        let id = v[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("nothing has focus: {v}"))
            .to_string();
        self.post(&format!("/element/{id}/value"), json!({ "text": text }));
    }

    /// Waits until `id` has the focus (moved there by the page, not by a key).
    pub fn wait_focus(&self, id: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.active_id() != id {
            assert!(
                Instant::now() < deadline,
                "the focus never reached #{id}; it is on #{}",
                self.active_id()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The id of the focused element ("" when it has none).
    pub fn active_id(&self) -> String {
        self.exec(
            "return document.activeElement ? document.activeElement.id : '';",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Runs a Chrome DevTools Protocol command through ChromeDriver (`goog/cdp/execute`):
    /// what a screen reader reads (the accessibility tree) is only there.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
    }

    /// The accessibility tree's nodes, as the browser exposes them to a screen reader:
    /// (role, name, description, properties by name).
    pub fn ax_nodes(&self) -> Vec<AxNode> {
        let tree = self.cdp("Accessibility.getFullAXTree", json!({}));
        tree["nodes"]
            .as_array()
            .map(|nodes| {
                nodes
                    .iter()
                    .filter(|n| n["ignored"] != json!(true))
                    .map(|n| AxNode {
                        role: n["role"]["value"].as_str().unwrap_or_default().to_string(),
                        name: n["name"]["value"].as_str().unwrap_or_default().to_string(),
                        description: n["description"]["value"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                        properties: n["properties"]
                            .as_array()
                            .map(|ps| {
                                ps.iter()
                                    .map(|p| {
                                        (
                                            p["name"].as_str().unwrap_or_default().to_string(),
                                            p["value"]["value"].clone(),
                                        )
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Starts keeping every text the page's live regions (`aria-live`, status, alert) show,
    /// in order, each change once — what a screen reader would be told. Read with
    /// [`Browser::spoken`].
    pub fn listen_live_regions(&self) {
        self.exec(
            "window.__spoken = [];
             const live = '[aria-live], [role=status], [role=alert]';
             const last = new Map();
             const look = () => {
               document.querySelectorAll(live).forEach(el => {
                 const t = el.textContent.trim();
                 const key = el.id || el;
                 if (last.get(key) !== t) {
                   last.set(key, t);
                   window.__spoken.push([el.id, t]);
                 }
               });
             };
             look();
             new MutationObserver(look).observe(document.body,
               { subtree: true, childList: true, characterData: true });",
            json!([]),
        );
    }

    /// What the live regions said since [`Browser::listen_live_regions`]: (element id, text).
    pub fn spoken(&self) -> Vec<(String, String)> {
        self.exec("return window.__spoken || [];", json!([]))
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| {
                        (
                            x[0].as_str().unwrap_or_default().to_string(),
                            x[1].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Resizes the browser window (CSS pixels).
    pub fn set_window_size(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({ "width": width, "height": height }));
    }

    pub fn screenshot(&self, path: &Path) {
        let b64 = self.get("/screenshot");
        let bytes = base64_decode(b64.as_str().unwrap_or_default());
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Prints the page to PDF (A4) through the WebDriver print command.
    pub fn print_pdf(&self, path: &Path) {
        let b64 = self.post(
            "/print",
            // The page's own @page rule sets the margins (none for the forms): no extra ones.
            json!({
                "page": { "width": 21.0, "height": 29.7 },
                "margin": { "top": 0, "bottom": 0, "left": 0, "right": 0 },
                "shrinkToFit": false,
                "background": true
            }),
        );
        let bytes = base64_decode(b64.as_str().unwrap_or_default());
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let url = format!("{}/session/{}", self.base, self.session);
        let _ = self.agent.delete(&url).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// One node of the accessibility tree.
#[derive(Debug, Clone)]
pub struct AxNode {
    pub role: String,
    pub name: String,
    pub description: String,
    pub properties: Vec<(String, Value)>,
}

impl AxNode {
    pub fn property(&self, name: &str) -> Option<&Value> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

pub fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter_map(val) {
        acc = acc << 6 | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

impl Browser {
    /// Prints the page to PDF on paper of `width` × `height` centimetres (the 領収証 on A5 or
    /// a receipt roll), margins from the page's own @page rules.
    pub fn print_pdf_on(&self, path: &Path, width: f64, height: f64) {
        let b64 = self.post(
            "/print",
            json!({
                "page": { "width": width, "height": height },
                "margin": { "top": 0, "bottom": 0, "left": 0, "right": 0 },
                "shrinkToFit": false,
                "background": true
            }),
        );
        let bytes = base64_decode(b64.as_str().unwrap_or_default());
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
}
