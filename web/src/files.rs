//! Files in and out of the page: a download made from text (exports, backups) and the text
//! of a file the user chose (a backup to restore). Nothing leaves the PC.

use crate::i18n::Lang;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlInputElement, Url};

/// An object URL holding `text` (the caller revokes it).
pub fn blob_url(mime: &str, text: &str) -> Result<String, String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| "ファイルを作れませんでした。".to_string())?;
    Url::create_object_url_with_blob(&blob).map_err(|_| "ファイルを作れませんでした。".to_string())
}

/// Offers `text` as a download named `filename`.
pub fn download(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    let url = blob_url(mime, text)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("ページがありません。")?;
    let a: HtmlAnchorElement = doc
        .create_element("a")
        .map_err(|_| "ダウンロードを始められませんでした。")?
        .dyn_into()
        .map_err(|_| "ダウンロードを始められませんでした。")?;
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    // The click has started the download; the URL is no longer needed after this turn.
    let revoke = url.clone();
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = Url::revoke_object_url(&revoke);
    })
    .forget();
    Ok(())
}

/// Offers the download and says how it went, for a status line: (ok, sentence).
pub fn offer(filename: &str, mime: &str, text: &str, lang: Lang) -> (bool, String) {
    match download(filename, mime, text) {
        Ok(()) => (
            true,
            lang.t(
                format!("{filename} を保存しました。"),
                format!("Saved {filename}."),
            ),
        ),
        Err(e) => (false, e),
    }
}

/// The first file chosen in `input`, as (name, UTF-8 text).
pub async fn read_chosen_file(input: &HtmlInputElement) -> Result<(String, String), String> {
    let file = input
        .files()
        .and_then(|l| l.get(0))
        .ok_or("ファイルが選ばれていません。「復元するバックアップファイル」で選んでください。")?;
    let name = file.name();
    let text = JsFuture::from(file.text())
        .await
        .map_err(|_| format!("{name} を読めませんでした。"))?;
    Ok((name, text.as_string().unwrap_or_default()))
}
