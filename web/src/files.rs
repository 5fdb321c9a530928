//! PLACEHOLDER so the tree compiles while helper-4 writes the real file helpers: replace
//! this whole file. The API below is the agreed one.
#![allow(dead_code)]

pub fn download(_filename: &str, _mime: &str, _text: &str) -> Result<(), String> {
    Err("placeholder".into())
}
pub async fn read_chosen_file(
    _input: &web_sys::HtmlInputElement,
) -> Result<(String, String), String> {
    Err("placeholder".into())
}
