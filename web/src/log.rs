//! The page's diagnostic log, for the vendor who supports the clinic: what happened and what
//! failed, as event names, error codes, record keys and counts — never a name, an address, a
//! number from a card, a PIN, or text from a file (a parser's message can quote its input).
//! Each line goes to the browser console and to a bounded list, which 設定 saves as a file the
//! clinic can send to support. The list is kept in the tab's `sessionStorage`, so it survives
//! the reload a clinic tries first when something goes wrong, and goes when the tab closes.

use std::cell::RefCell;
use std::collections::VecDeque;

/// Lines kept in memory; the oldest go first.
const KEEP: usize = 500;

const SESSION_KEY: &str = "ukemi.log";

thread_local! {
    static LINES: RefCell<VecDeque<String>> = RefCell::new(restored());
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The lines this tab logged before a reload.
fn restored() -> VecDeque<String> {
    session()
        .and_then(|s| s.get_item(SESSION_KEY).ok().flatten())
        .and_then(|t| serde_json::from_str::<VecDeque<String>>(&t).ok())
        .unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// One line: `event` is a stable dotted name (`book.unreadable`), `detail` codes and keys.
pub fn event(level: Level, event: &str, detail: &str) {
    let line = format!(
        "{} {} {event}{}{detail}",
        crate::clock::now_iso(),
        level.label(),
        if detail.is_empty() { "" } else { " " }
    );
    let text = wasm_bindgen::JsValue::from_str(&format!("[ukemi] {line}"));
    match level {
        Level::Info => web_sys::console::info_1(&text),
        Level::Warn => web_sys::console::warn_1(&text),
        Level::Error => web_sys::console::error_1(&text),
    }
    LINES.with(|l| {
        let mut l = l.borrow_mut();
        while l.len() >= KEEP {
            l.pop_front();
        }
        l.push_back(line);
        if let (Some(s), Ok(t)) = (session(), serde_json::to_string(&*l)) {
            let _ = s.set_item(SESSION_KEY, &t);
        }
    });
}

pub fn info(name: &str, detail: &str) {
    event(Level::Info, name, detail);
}

pub fn warn(name: &str, detail: &str) {
    event(Level::Warn, name, detail);
}

pub fn error(name: &str, detail: &str) {
    event(Level::Error, name, detail);
}

pub fn len() -> usize {
    LINES.with(|l| l.borrow().len())
}

/// The file for support: what ran where, then every kept line.
pub fn text() -> String {
    let agent = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    let mut out = format!(
        "Ukemi {} diagnostic log (no personal data)\r\nbrowser: {agent}\r\nsaved: {}\r\n\r\n",
        env!("CARGO_PKG_VERSION"),
        crate::clock::now_iso()
    );
    LINES.with(|l| {
        for line in l.borrow().iter() {
            out.push_str(line);
            out.push_str("\r\n");
        }
    });
    out
}
