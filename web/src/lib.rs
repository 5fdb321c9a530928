//! Ukemi's browser side: the app (`ukemi-web` binary) and the embeddable eligibility widget
//! (this library's `mount_widget`, loaded by `www/widget/ukemi-eligibility.js`). Small
//! function components, UI state in one reducer (`state`), the companion connection at the
//! edge (`link` + `driver`). Every message shape comes from `ukemi_core::protocol`.

// The widget's build (no cargo feature `app`) compiles the app's screens but reaches only
// the check: what it leaves unused is the app's, checked for dead code in the app's build.
#![cfg_attr(not(feature = "app"), allow(dead_code, unused_imports))]

mod book;
mod claims_memo;
mod clock;
mod demo;
mod driver;
mod files;
mod i18n;
mod idb;
mod link;
mod log;
mod postal;
mod state;
mod storage;
mod view;
// The widget's own rendering: only in the widget's build (the app never mounts it, and a
// `#[wasm_bindgen]` export would link it into the app's download).
#[cfg(not(feature = "app"))]
mod widget;

use wasm_bindgen::prelude::*;

/// Starts the full app in the page's body.
pub fn run_app() {
    if demo::redirect_to_demo_build() {
        return;
    }
    log::info(
        "page.loaded",
        &format!(
            "version={} demo={}",
            env!("CARGO_PKG_VERSION"),
            demo::requested()
        ),
    );
    yew::Renderer::<view::App>::new().render();
}

/// Mounts `<ukemi-eligibility>`'s content into its open shadow root (the widget's build).
#[cfg(not(feature = "app"))]
/// `companion` is `host:port` (empty: the default port list); `modes` may contain `insurance`.
#[wasm_bindgen]
pub fn mount_widget(
    host: web_sys::HtmlElement,
    root: web_sys::ShadowRoot,
    container: web_sys::Element,
    companion: String,
    lang: String,
    modes: String,
) -> Result<(), JsValue> {
    // The stylesheet is linked by the loader (a file next to it): an inline <style> would
    // be refused by the host page's Content-Security-Policy.
    let _ = &root;
    let candidates = if companion.trim().is_empty() {
        protocol_defaults()
    } else {
        vec![companion.trim().to_string()]
    };
    let lang = if lang == "en" {
        i18n::Lang::En
    } else {
        i18n::Lang::Ja
    };
    let insurance = modes.split_whitespace().any(|m| m == "insurance") || modes.trim().is_empty();
    widget::mount(host, container, candidates, lang, insurance);
    Ok(())
}

#[cfg(not(feature = "app"))]
fn protocol_defaults() -> Vec<String> {
    ukemi_core::protocol::DEFAULT_PORTS
        .iter()
        .map(|p| format!("127.0.0.1:{p}"))
        .collect()
}

/// The claim benchmark in the browser: `n` monthly claims with the browser's clock; returns
/// the report line (`cargo xtask test` prints it beside the native one). The app's export
/// (`window.wasmBindings.bench_claims`): the widget computes no claims.
#[cfg(feature = "app")]
#[wasm_bindgen]
pub fn bench_claims(n: u32) -> String {
    let now = || js_sys::Date::now();
    match ukemi_core::claims::bench::run(n as usize, &now) {
        Ok(r) => r.line("wasm, Chromium"),
        Err(e) => format!("bench failed: {e}"),
    }
}

/// The widget's build (no cargo feature `app`), tested as it is built: `cargo xtask test`
/// runs the web crate's unit tests once more without the app.
#[cfg(all(test, not(feature = "app")))]
mod widget_build {
    use ukemi_core::protocol::{decode_server, Message};

    #[test]
    fn reads_what_the_widget_needs_and_refuses_only_the_apps_answers() {
        let personas = decode_server(r#"{"msg":"PERSONAS","req":1,"personas":[]}"#);
        assert!(
            matches!(
                personas.as_ref().map(|m| &m.body),
                Ok(Message::Personas { .. })
            ),
            "{personas:?}"
        );
        let error = decode_server(
            r#"{"msg":"ERROR","req":2,"code":"PIN_WRONG","message":"x","detail":{"tries_left":2}}"#,
        );
        assert!(matches!(error.map(|m| m.body), Ok(Message::Error { .. })));
        for frame in [
            r#"{"msg":"STATUS","req":3,"companion_version":"0"}"#,
            r#"{"msg":"BOOK_INFO","req":4,"book":null}"#,
            r#"{"msg":"BOOK_TRAIL","req":5,"entries":[]}"#,
            r#"{"msg":"IMPORTED","req":6,"results":[]}"#,
        ] {
            let e = decode_server(frame).expect_err(frame);
            assert!(e.contains("app-answers"), "{frame}: {e}");
        }
    }
}
