//! The embeddable widget in a vendor's page: the example host page (served by the companion
//! in simulator mode, so its origin is allowed) embeds `<ukemi-eligibility>`, pairs, checks a
//! card, and receives the result as a DOM event; the host page's hostile CSS changes nothing
//! inside the widget.

use serde_json::json;
use std::time::{Duration, Instant};
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, Companion};

const WAIT: Duration = Duration::from_secs(60);

/// Runs `body` with `r` bound to the widget's shadow root.
fn in_shadow(b: &Browser, body: &str, args: serde_json::Value) -> serde_json::Value {
    let script = format!(
        "const el = document.querySelector('ukemi-eligibility'); const r = el && el.shadowRoot; if (!r) return null; {body}"
    );
    b.exec(&script, args)
}

fn wait_shadow(b: &Browser, what: &str, check: &str, args: serde_json::Value) {
    let deadline = Instant::now() + WAIT;
    loop {
        if in_shadow(b, check, args.clone()).as_bool() == Some(true) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; widget text: {}",
            shadow_text(b)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn shadow_text(b: &Browser) -> String {
    in_shadow(b, "return r.textContent;", json!([]))
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn set_value(b: &Browser, css: &str, value: &str) {
    in_shadow(b, "const e = r.querySelector(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true})); return true;", json!([css, value]));
}

fn click(b: &Browser, css: &str) {
    wait_shadow(
        b,
        css,
        "return r.querySelector(arguments[0]) !== null;",
        json!([css]),
    );
    in_shadow(
        b,
        "r.querySelector(arguments[0]).click(); return true;",
        json!([css]),
    );
}

#[test]
fn the_host_page_receives_the_result_event_and_its_css_does_not_leak_in() {
    let comp = Companion::start(&["--serve", &dist(true).to_string_lossy()]);
    let b = Browser::start();
    b.goto(&format!("{}/widget/example.html", comp.origin()));
    wait_shadow(
        &b,
        "waiting for approval",
        "return r.querySelector('#pairing-code') !== null;",
        json!([]),
    );
    comp.approve_next(&comp.origin());
    wait_shadow(
        &b,
        "practice cards",
        "return r.querySelector('#sim-persona option[value=normal]') !== null;",
        json!([]),
    );
    set_value(&b, "#sim-persona", "normal");
    click(&b, "#sim-insert");
    wait_shadow(&b, "the card", "return (r.querySelector('#reader-status')||{}).textContent.includes('マイナンバーカード');", json!([]));
    click(&b, "#mode-pin");
    set_value(&b, "#pin", "1234");
    click(&b, "#check-button");
    let log = b.wait_text("#log", "ukemi-result", WAIT);
    assert!(
        log.contains("山田　花子") && log.contains("東京都世田谷区太子堂"),
        "{log}"
    );

    // Hostile host CSS: 40px red buttons, serif everything, 40px red body text.
    let style = in_shadow(
        &b,
        "const s = getComputedStyle(r.querySelector('#check-button')); const t = getComputedStyle(r.querySelector('.ukemi-widget')); return [s.fontSize, s.color, s.fontFamily, t.fontSize, t.color];",
        json!([]),
    );
    let v: Vec<String> = style
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(v.len(), 5, "{style}");
    assert_ne!(v[0], "40px", "host button size leaked in: {v:?}");
    assert_ne!(
        v[1], "rgb(255, 0, 0)",
        "host button colour leaked in: {v:?}"
    );
    assert!(!v[2].starts_with("serif"), "host font leaked in: {v:?}");
    assert_eq!(v[3], "18px", "host body size leaked in: {v:?}");
    assert_ne!(v[4], "rgb(204, 0, 0)", "host body colour leaked in: {v:?}");
    b.screenshot(&artifacts_dir().join("widget-example.png"));

    // An error is an event too.
    set_value(&b, "#pin", "9999");
    click(&b, "#check-button");
    let log = b.wait_text("#log", "PIN_WRONG", WAIT);
    assert!(log.contains("ukemi-error"), "{log}");
}
