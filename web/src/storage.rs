//! What the page keeps in `localStorage`: the key shared with each companion it paired with
//! (under the companion's id, so a companion that moved to another port is still known),
//! the chosen reader, the language. Failures (private mode, storage disabled) just mean
//! "not kept". `localStorage` is per page origin: no other site, and no other port on
//! 127.0.0.1, can read it (see docs/protocol.md, "Threat model").

fn store() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn get(key: &str) -> Option<String> {
    store()?.get_item(key).ok()?
}

pub fn set(key: &str, value: &str) {
    if let Some(s) = store() {
        let _ = s.set_item(key, value);
    }
}

const KEY_PREFIX: &str = "ukemi.key.";

pub fn key_key(companion_id: &str) -> String {
    format!("{KEY_PREFIX}{companion_id}")
}

/// Does this page hold a key for any companion? Then a companion that cannot prove one is
/// not the one it paired with.
pub fn holds_any_key() -> bool {
    let Some(s) = store() else { return false };
    let n = s.length().unwrap_or(0);
    (0..n).any(|i| {
        s.key(i)
            .ok()
            .flatten()
            .is_some_and(|k| k.starts_with(KEY_PREFIX))
    })
}
