//! The trainer demo: the built app served as plain static files, no companion running, no
//! reader. Every scenario in the picker gives the outcome a trainer would show the class.

use std::time::Duration;
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, StaticServer};

const WAIT: Duration = Duration::from_secs(60);

fn insert(b: &Browser, persona: &str) {
    b.select("#sim-persona", persona);
    b.click("#sim-insert");
}

fn check_pin(b: &Browser, pin: &str) {
    b.click("#mode-pin");
    b.type_into("#pin", pin);
    b.click("#check-button");
}

fn check_visual(b: &Browser) {
    b.click("#mode-visual");
    b.click("#visual-confirmed");
    b.click("#check-button");
}

#[test]
fn every_scenario_in_the_picker_with_no_companion() {
    let server = StaticServer::start(dist(false));
    let b = Browser::start();
    // The demo's old address: the clinic app sends the browser on to the demo build.
    b.goto(&format!("http://127.0.0.1:{}/?demo", server.port));
    b.wait_text("#demo-banner", "デモ", WAIT);
    let path = b.exec(
        "return location.pathname + location.search;",
        serde_json::json!([]),
    );
    assert_eq!(path.as_str(), Some("/demo/?demo"), "{path}");
    // The simulated world (its test keys) is built in the page.
    b.wait_for("#sim-persona option[value=\"service_error\"]", WAIT);
    // The sample clinic: patients with a month of visits, claims computed by the engine.
    let sample = b.wait_text("#sample-clinic", "うけみ接骨院", WAIT);
    assert!(
        sample.contains("柔道整復") && sample.contains("はり・きゅう") && sample.contains("円"),
        "{sample}"
    );
    b.screenshot(&artifacts_dir().join("demo-start.png"));

    // 正常
    insert(&b, "normal");
    b.wait_text("#reader-status", "マイナンバーカード", WAIT);
    check_pin(&b, "1234");
    b.wait_text("#result-name", "山田　花子", WAIT);
    b.wait_text("#result-validity", "有効", WAIT);

    // 暗証番号誤り
    check_pin(&b, "9999");
    b.wait_text("#check-error", "残り2回", WAIT);

    // 目視確認
    check_visual(&b);
    b.wait_text("#result", "目視確認", WAIT);

    // 資格喪失
    insert(&b, "lost");
    b.wait_text("#reader-status", "マイナンバーカード", WAIT);
    check_visual(&b);
    b.wait_text("#result-validity", "無効", WAIT);
    b.wait_text("#result", "喪失", WAIT);

    // 新しい資格あり
    insert(&b, "newer");
    check_visual(&b);
    b.wait_text("#result-validity", "新しい資格あり", WAIT);

    // 住所未登録
    insert(&b, "no_address");
    check_visual(&b);
    b.wait_text("#result-address", "登録なし", WAIT);

    // カード証明書期限切れ
    insert(&b, "cert_expired");
    check_visual(&b);
    b.wait_text("#check-error", "有効期限", WAIT);

    // サービス障害 (the service's own code is shown)
    insert(&b, "service_error");
    check_visual(&b);
    b.wait_text("#check-error", "EQ0001", WAIT);

    // ロック
    insert(&b, "locked");
    b.click("#mode-pin");
    b.wait_text("body", "ロックされています", WAIT);
    b.screenshot(&artifacts_dir().join("demo-locked.png"));
}

/// The clinic app links no simulators: the test CA's name, which only the test PKI's
/// certificate builder writes, is in the demo build's WebAssembly and not in the app's.
#[test]
fn only_the_demo_build_carries_the_simulators() {
    let dist = dist(false);
    let wasm_in = |dir: &std::path::Path| -> Vec<u8> {
        let path = std::fs::read_dir(dir)
            .expect("dist")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "wasm"))
            .unwrap_or_else(|| panic!("no wasm in {}", dir.display()));
        std::fs::read(path).expect("wasm")
    };
    let marker = ukemi_core::jpki::pki::TEST_CA_DN.as_bytes();
    let has = |bytes: &[u8]| bytes.windows(marker.len()).any(|w| w == marker);
    assert!(
        has(&wasm_in(&dist.join("demo"))),
        "the demo generates its test CA"
    );
    assert!(!has(&wasm_in(&dist)), "the clinic app carries the test PKI");
    assert!(
        !has(&wasm_in(&dist.join("widget"))),
        "the widget carries the test PKI"
    );
}
