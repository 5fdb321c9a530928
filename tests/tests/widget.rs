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

/// The example host page with the widget waiting for approval, approved at the companion.
fn approved() -> (Companion, Browser) {
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
    (comp, b)
}

#[test]
fn the_host_page_receives_the_result_event_and_its_css_does_not_leak_in() {
    let (_comp, b) = approved();
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

fn wait_focus(b: &Browser, id: &str) {
    wait_shadow(
        b,
        &format!("the focus on #{id}"),
        "return !!r.activeElement && r.activeElement.id === arguments[0];",
        json!([id]),
    );
}

fn attr(b: &Browser, css: &str, name: &str) -> String {
    in_shadow(
        b,
        "const e = r.querySelector(arguments[0]); return e ? (e.getAttribute(arguments[1]) || '') : '';",
        json!([css, name]),
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

fn submit(b: &Browser, form: &str) {
    in_shadow(
        b,
        "r.querySelector(arguments[0]).requestSubmit(); return true;",
        json!([form]),
    );
}

/// The widget renders without Yew (web/src/widget): the same focus rules, labels and
/// refusals as the app's 受付, inside the shadow root.
#[test]
fn the_widget_moves_the_focus_labels_every_control_and_checks_by_numbers() {
    let (_comp, b) = approved();
    // Approved: the focus goes to the card reader, not the page's top.
    wait_focus(&b, "reader-heading");

    // Every control has a name a screen reader can say.
    let unlabelled = in_shadow(
        &b,
        "return [...r.querySelectorAll('input, select, button')].filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.id);",
        json!([]),
    );
    assert_eq!(unlabelled, json!([]), "unlabelled controls");

    // A card put in: the PIN box takes the focus.
    wait_shadow(
        &b,
        "practice cards",
        "return r.querySelector('#sim-persona option[value=normal]') !== null;",
        json!([]),
    );
    click(&b, "#sim-insert");
    wait_focus(&b, "pin");
    // A wrong PIN: back in the PIN box, marked, with the tries left.
    set_value(&b, "#pin", "9999");
    submit(&b, "#check-form");
    wait_shadow(
        &b,
        "the tries left",
        "return (r.querySelector('#pin-tries')||{}).textContent === '暗証番号の残り回数：2回';",
        json!([]),
    );
    wait_focus(&b, "pin");
    assert_eq!(attr(&b, "#pin", "aria-invalid"), "true");
    assert_eq!(
        in_shadow(&b, "return r.querySelector('#pin').value;", json!([])),
        json!(""),
        "the PIN stays in the box"
    );
    b.wait_text("#log", "PIN_WRONG", WAIT);

    // By numbers: a wrong check digit is refused at the field before anything is sent.
    set_value(&b, "#ins-insurer", "01130013");
    submit(&b, "#ins-form");
    wait_shadow(
        &b,
        "the refusal",
        "return (r.querySelector('#ins-error')||{}).textContent.includes('検証番号');",
        json!([]),
    );
    wait_focus(&b, "ins-insurer");
    assert_eq!(attr(&b, "#ins-insurer", "aria-invalid"), "true");
    assert_eq!(attr(&b, "#ins-insurer", "aria-describedby"), "ins-error");

    // Six digits with the era beside them: read, shown as read, found.
    set_value(&b, "#ins-insurer", "01130012");
    set_value(&b, "#ins-symbol", "1234567");
    set_value(&b, "#ins-number", "42");
    set_value(&b, "#ins-birthdate-era", "昭和");
    set_value(&b, "#ins-birthdate", "430412");
    wait_shadow(
        &b,
        "the date as read",
        "return r.querySelector('#ins-birthdate').value === '昭和43年4月12日';",
        json!([]),
    );
    assert!(
        attr(&b, "#ins-birthdate-hint", "id") == "ins-birthdate-hint"
            && in_shadow(
                &b,
                "return r.querySelector('#ins-birthdate-hint').textContent;",
                json!([])
            )
            .as_str()
            .unwrap_or_default()
            .contains("1968-04-12")
    );
    submit(&b, "#ins-form");
    wait_shadow(
        &b,
        "the result",
        "return (r.querySelector('#result-name')||{}).textContent === '山田　花子';",
        json!([]),
    );
    wait_focus(&b, "result-heading");
    let log = b.wait_text("#log", "insurance_numbers", WAIT);
    assert!(log.contains("ukemi-result"), "{log}");
    // axe inside the widget (its shadow tree), with a refusal and a result on screen.
    let violations = b.axe_serious(Some("ukemi-eligibility"));
    assert!(
        violations.is_empty(),
        "axe inside the widget: {violations:#?}"
    );
    // A date that is not one: said at the field.
    set_value(&b, "#ins-birthdate", "H32.1.1");
    wait_shadow(
        &b,
        "the date's error",
        "return (r.querySelector('#ins-birthdate-error')||{}).textContent.includes('平成');",
        json!([]),
    );
    assert_eq!(attr(&b, "#ins-birthdate", "aria-invalid"), "true");
}
