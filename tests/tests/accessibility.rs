//! axe-core on the screens that exist: the app before pairing, after a check (result shown),
//! with a locked card, in English; the trainer demo; the embedded widget. Zero serious or
//! critical violations.

use std::time::Duration;
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{dist, Companion, StaticServer};

const WAIT: Duration = Duration::from_secs(60);

fn assert_clean(b: &Browser, screen: &str, within: Option<&str>) {
    let v = b.axe_serious(within);
    assert!(
        v.is_empty(),
        "{screen}: serious/critical accessibility violations:\n{}",
        v.join("\n")
    );
}

#[test]
fn app_screens_have_no_serious_violations() {
    let comp = Companion::start(&["--serve", &dist(false).to_string_lossy()]);
    let b = Browser::start();
    b.goto(&format!("{}/", comp.origin()));
    b.wait_for("#pairing-code", WAIT);
    assert_clean(&b, "pairing", None);
    comp.approve_next(&comp.origin());
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    b.select("#sim-persona", "normal");
    b.click("#sim-insert");
    b.wait_text("#reader-status", "マイナンバーカード", WAIT);
    b.type_into("#pin", "1234");
    b.click("#check-button");
    b.wait_text("#result-name", "山田", WAIT);
    assert_clean(&b, "result", None);
    b.click("#register-patient");
    b.select("#sim-persona", "locked");
    b.click("#sim-insert");
    b.wait_text("body", "ロックされています", WAIT);
    assert_clean(&b, "locked card", None);
    b.click("#lang-switch");
    b.wait_text("#lang-switch", "日本語", WAIT);
    assert_clean(&b, "English", None);
}

#[test]
fn demo_and_widget_have_no_serious_violations() {
    let server = StaticServer::start(dist(true));
    let b = Browser::start();
    b.goto(&format!("http://127.0.0.1:{}/demo/", server.port));
    b.wait_for("#sample-clinic", WAIT);
    assert_clean(&b, "demo", None);

    let comp = Companion::start(&["--serve", &dist(true).to_string_lossy()]);
    b.goto(&format!("{}/widget/example.html", comp.origin()));
    let deadline = std::time::Instant::now() + WAIT;
    while b
        .exec("const e = document.querySelector('ukemi-eligibility'); return !!(e && e.shadowRoot && e.shadowRoot.querySelector('#pairing-code'));", serde_json::json!([]))
        .as_bool()
        != Some(true)
    {
        assert!(std::time::Instant::now() < deadline, "widget did not render");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_clean(&b, "widget", Some("ukemi-eligibility"));
}
