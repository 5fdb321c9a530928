//! What the page keeps in `localStorage`: the pairing token per companion, the chosen
//! reader, the language. Failures (private mode, storage disabled) just mean "not kept".

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

pub fn remove(key: &str) {
    if let Some(s) = store() {
        let _ = s.remove_item(key);
    }
}

pub fn token_key(companion: &str) -> String {
    format!("ukemi.token.{companion}")
}
