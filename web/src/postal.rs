//! The bundled postal-code data (`www/postal/`, docs/postal.md), fetched from the page's own
//! origin only when an address is looked up, one small file at a time, and kept for the tab.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use ukemi_core::postal::{self, CityIndex, PostalEntry};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static CHUNKS: RefCell<HashMap<String, Rc<Vec<PostalEntry>>>> = RefCell::new(HashMap::new());
    static CITIES: RefCell<Option<Rc<CityIndex>>> = const { RefCell::new(None) };
}

async fn fetch_text(path: &str) -> Result<String, String> {
    let w = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(w.fetch_with_str(path))
        .await
        .map_err(|e| format!("{e:?}"))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "not a response")?;
    if !resp.ok() {
        return Err(format!("HTTP {}", resp.status()));
    }
    let text = JsFuture::from(resp.text().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{e:?}"))?;
    text.as_string().ok_or_else(|| "not text".into())
}

pub async fn chunk(key: &str) -> Result<Rc<Vec<PostalEntry>>, String> {
    if let Some(c) = CHUNKS.with(|m| m.borrow().get(key).cloned()) {
        return Ok(c);
    }
    let text = fetch_text(&format!("postal/{key}.txt")).await?;
    let entries = Rc::new(postal::parse_chunk(key, &text));
    CHUNKS.with(|m| m.borrow_mut().insert(key.to_string(), Rc::clone(&entries)));
    Ok(entries)
}

pub async fn cities() -> Result<Rc<CityIndex>, String> {
    if let Some(c) = CITIES.with(|c| c.borrow().clone()) {
        return Ok(c);
    }
    let text = fetch_text("postal/cities.txt").await?;
    let index = Rc::new(CityIndex::parse(&text));
    CITIES.with(|c| *c.borrow_mut() = Some(Rc::clone(&index)));
    Ok(index)
}

/// The address of a code: `Ok(None)` for a code the data does not have.
pub async fn address_of(code: &str) -> Result<Option<String>, String> {
    let entries = chunk(postal::chunk_of(code)).await?;
    Ok(postal::fill(&entries, code))
}

/// The code of an address when exactly one fits.
pub async fn code_of(address: &str) -> Result<Option<String>, String> {
    let index = cities().await?;
    let Some((pref, city, keys, rest)) = index.find(address) else {
        return Ok(None);
    };
    let (pref, city, rest) = (pref.to_string(), city.to_string(), rest.to_string());
    let mut found: Vec<String> = Vec::new();
    for k in keys {
        let entries = chunk(k).await?;
        if let Some(c) = postal::code_for(&entries, &pref, &city, &rest) {
            found.push(c);
        }
    }
    found.dedup();
    Ok(match found.as_slice() {
        [one] => Some(format!("{}-{}", &one[..3], &one[3..])),
        _ => None,
    })
}
