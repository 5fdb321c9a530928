//! How long a clinic waits when it opens Ukemi: from navigation to a 受付 screen ready for a
//! card, in headless Chromium at 1366×768 against the real companion (simulator mode) on
//! loopback, the page already paired (its key kept, proved on each load — the clinic's
//! every morning). Two moments, both in the page's own clock (`performance.now()`, whose
//! zero is the navigation's start): the app has rendered 受付 (its heading is in the page),
//! and 受付 is interactive (the card-check button is there, enabled and focusable: the
//! companion proved itself and listed its reader). Loaded cold (HTTP cache off: the first
//! visit, or an update) and warm. The numbers go to `target/e2e-artifacts/first-render.txt`,
//! which `cargo xtask test` prints; nothing here is timed against a limit.

use serde_json::json;
use std::time::Duration;
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, Companion};

const WAIT: Duration = Duration::from_secs(60);
/// Loads measured per condition: the median is reported.
const RUNS: usize = 5;

/// Installed before any of the page's own scripts: notes (on the page's clock) the first
/// moment 受付's heading is in the page and the first moment the card-check button can be
/// used, watching every change to the document.
const WATCH: &str = r#"
window.__ukemiFirstRender = { rendered: null, interactive: null };
(() => {
  const seen = () => {
    const t = window.__ukemiFirstRender;
    if (t.rendered === null && document.getElementById('screen-heading')) {
      t.rendered = performance.now();
    }
    const b = document.getElementById('check-button');
    if (t.interactive === null && b && !b.disabled && b.tabIndex >= 0
        && b.getClientRects().length > 0) {
      t.interactive = performance.now();
    }
    return t.interactive !== null;
  };
  const start = () => {
    if (seen()) return;
    const o = new MutationObserver(() => { if (seen()) o.disconnect(); });
    o.observe(document, { subtree: true, childList: true, attributes: true });
  };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
"#;

/// One load of `url`: (rendered, interactive) in ms since the navigation started.
fn load(b: &Browser, url: &str) -> (f64, f64) {
    // From another document: the same address again would only move to its #hash.
    b.goto("about:blank");
    b.goto(url);
    b.wait_for("#check-button:not([disabled])", WAIT);
    let t = b.exec_async(
        "const done = arguments[arguments.length - 1];
         const poll = () => {
           const t = window.__ukemiFirstRender;
           if (t && t.interactive !== null) done([t.rendered, t.interactive]); else setTimeout(poll, 5);
         };
         poll();",
        json!([]),
    );
    let ms = |v: &serde_json::Value| {
        v.as_f64()
            .unwrap_or_else(|| panic!("the page did not note its first render: {t}"))
    };
    let (rendered, interactive) = (ms(&t[0]), ms(&t[1]));
    assert!(
        rendered > 0.0 && rendered <= interactive,
        "rendered at {rendered} ms, interactive at {interactive} ms"
    );
    // The button is the focused-or-focusable control a receptionist reaches.
    assert_eq!(
        b.exec(
            "const e = document.getElementById('check-button'); e.focus(); return document.activeElement === e;",
            json!([])
        ),
        json!(true),
        "the card-check button takes the focus"
    );
    (rendered, interactive)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn first_render_from_navigation_to_an_interactive_reception() {
    let comp = Companion::start(&["--serve", &dist(false).to_string_lossy()]);
    let b = Browser::start();
    b.set_window_size(1366, 768);
    let url = format!("{}/#reception", comp.origin());
    // Paired once, as the clinic does on its first day: from then on the page proves its key.
    b.goto(&url);
    b.wait_for("#pairing-code", WAIT);
    comp.approve_next(&comp.origin());
    b.wait_for("#check-button:not([disabled])", WAIT);

    b.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": WATCH }),
    );
    b.cdp("Network.enable", json!({}));
    let mut report = Vec::new();
    for (cold, what) in [(true, "cold (no HTTP cache)"), (false, "warm")] {
        b.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": cold }));
        // The warm runs start from a cache this first load filled.
        if !cold {
            load(&b, &url);
        }
        let runs: Vec<(f64, f64)> = (0..RUNS).map(|_| load(&b, &url)).collect();
        let rendered = median(runs.iter().map(|r| r.0).collect());
        let interactive = median(runs.iter().map(|r| r.1).collect());
        report.push(format!(
            "{what}: 受付 rendered {rendered:.0} ms, ready for a card {interactive:.0} ms"
        ));
    }
    let line = format!(
        "First render, navigation to an interactive 受付 (headless Chromium, 1366×768, paired companion on loopback, median of {RUNS}): {}",
        report.join("; ")
    );
    println!("{line}");
    std::fs::write(
        artifacts_dir().join("first-render.txt"),
        format!("{line}\n"),
    )
    .expect("write the first render's times");
}
