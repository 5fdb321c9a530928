//! The flow from reception to the print preview with the keyboard alone, focus always
//! visible; and every screen at the width of a 200 % zoom without the page scrolling
//! sideways, with axe-core clean on each. Runs on the trainer demo (static files, no companion), whose sample clinic
//! fills every screen.

use serde_json::json;
use std::cell::Cell;
use std::time::Duration;
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{dist, StaticServer};

const WAIT: Duration = Duration::from_secs(60);
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const SPACE: &str = "\u{E00D}";
const DOWN: &str = "\u{E015}";
const CTRL: &str = "\u{E009}";
/// Releases held modifier keys.
const RELEASE: &str = "\u{E000}";

thread_local! {
    /// Keys pressed in this test's walk (each character sent is one key; a modifier's
    /// release is not a press).
    static PRESSES: Cell<usize> = const { Cell::new(0) };
}

/// Sends keys to the focused element, counting them for the walk's report.
fn press_keys(b: &Browser, keys: &str) {
    PRESSES.with(|p| p.set(p.get() + keys.chars().filter(|c| c.to_string() != RELEASE).count()));
    b.keys(keys);
}

/// Presses Tab until `id` has focus; fails if it is never reached. Checks the focus is
/// visible there (an outline of at least 2px).
fn tab_to(b: &Browser, id: &str) {
    for _ in 0..400 {
        if b.active_id() == id {
            let outline = b.exec(
                "const s = getComputedStyle(document.activeElement);
                 return [s.outlineStyle, parseFloat(s.outlineWidth)];",
                json!([]),
            );
            assert!(
                outline[0] != "none" && outline[1].as_f64().unwrap_or(0.0) >= 2.0,
                "focus on #{id} is not visible: {outline}"
            );
            return;
        }
        press_keys(b, TAB);
    }
    panic!("#{id} cannot be reached with Tab");
}

fn press(b: &Browser, id: &str, key: &str) {
    tab_to(b, id);
    press_keys(b, key);
}

/// Chooses an option of a focused <select> with the arrow keys.
fn choose(b: &Browser, id: &str, value: &str) {
    tab_to(b, id);
    for _ in 0..20 {
        let v = b.exec(
            "return document.getElementById(arguments[0]).value;",
            json!([id]),
        );
        if v == json!(value) {
            return;
        }
        press_keys(b, DOWN);
    }
    panic!("#{id} never offered {value}");
}

#[test]
fn reception_to_print_preview_with_the_keyboard_alone() {
    let server = StaticServer::start(dist(false));
    let b = Browser::start();
    b.goto(&format!("http://127.0.0.1:{}/?demo", server.port));
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);

    // 受付: card in, PIN, check, register.
    choose(&b, "sim-persona", "normal");
    press(&b, "sim-insert", ENTER);
    b.wait_text("#reader-status", "マイナンバーカード", WAIT);
    press(&b, "mode-pin", SPACE);
    tab_to(&b, "pin");
    press_keys(&b, "1234");
    press(&b, "check-button", ENTER);
    b.wait_text("#result-name", "山田　花子", WAIT);
    press(&b, "register-patient", ENTER);
    b.wait_text("#registration", "登録しました", WAIT);

    // 施術録: a new 柔整 case, an injury, today's visit.
    press(&b, "nav-records", ENTER);
    b.wait_for("#nav-records[aria-current=page]", WAIT);
    assert_eq!(
        b.active_id(),
        "screen-heading",
        "focus moves to the new screen"
    );
    let new_patient = b
        .exec(
            "const o = [...document.querySelectorAll('#records-patient option')];
             return o.find(x => x.text.startsWith('山田　花子')).value;",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string();
    choose(&b, "records-patient", &new_patient);
    press(&b, "new-case", ENTER);
    b.wait_for("#add-injury", WAIT);
    press(&b, "add-injury", ENTER);
    b.wait_for("#injury-1-site", WAIT);
    tab_to(&b, "injury-1-site");
    press_keys(&b, &format!("足関節{TAB}"));
    b.wait_text("#case-heading", "足関節", WAIT);
    let today = b
        .exec(
            "const d = new Date(); const p = n => String(n).padStart(2, '0');
             return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate());",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string();
    press(&b, &format!("day-{today}"), ENTER);
    press(&b, "add-visit", ENTER);
    b.wait_for("#part-1", WAIT);
    press(&b, "part-1-cold", SPACE);
    b.wait_for("#part-1-cold:checked", WAIT);
    b.wait_text("#month-amount", "円", WAIT);
    // A house call: the distance is typed over the default, decimals and all, while each
    // keystroke is being saved.
    let before = b.text("#amount-total");
    choose(&b, "visit-mode", "call");
    b.wait_for("#visit-distance", WAIT);
    tab_to(&b, "visit-distance");
    press_keys(&b, &format!("{CTRL}a{RELEASE}2.5{TAB}"));
    assert_eq!(
        b.exec(
            "return document.querySelector('#visit-distance').value;",
            json!([])
        ),
        json!("2.5")
    );
    let deadline = std::time::Instant::now() + WAIT;
    while b.text("#amount-total") == before {
        assert!(
            std::time::Instant::now() < deadline,
            "往療料 did not change the amount"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // 月次請求: the month's claims and the print preview.
    press(&b, "nav-claims", ENTER);
    b.wait_for("#nav-claims[aria-current=page]", WAIT);
    choose(&b, "claims-month", &today[..7]);
    b.wait_text("#claims-table", "山田　花子", WAIT);
    press(&b, "preview-all", ENTER);
    b.wait_for("#claim-sheets", WAIT);
    assert!(b.text("#claim-sheets").contains("山田"));
    // The walk's length, for the record (compared by people, not asserted).
    println!(
        "keyboard walk, reception to print preview: {} key presses",
        PRESSES.with(Cell::get)
    );
}

#[test]
fn every_screen_reflows_at_200_percent_zoom() {
    let server = StaticServer::start(dist(false));
    let b = Browser::start();
    // 1280 CSS pixels at 200 % leave 640.
    b.set_window_size(640, 1000);
    b.goto(&format!("http://127.0.0.1:{}/?demo", server.port));
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    let width = b.exec("return window.innerWidth;", json!([]));
    assert!(
        width.as_i64().unwrap_or(9999) <= 660,
        "window is {width} wide"
    );
    for screen in [
        "reception",
        "patients",
        "records",
        "claims",
        "settings",
        "readiness",
    ] {
        b.click(&format!("#nav-{screen}"));
        b.wait_for(&format!("#nav-{screen}[aria-current=page]"), WAIT);
        if screen == "patients" {
            b.click("#patient-p1");
            b.wait_for("#patient-detail", WAIT);
        }
        if screen == "claims" {
            b.click("#preview-all");
            b.wait_for("#claim-sheets", WAIT);
        }
        let serious = b.axe_serious(None);
        assert!(serious.is_empty(), "axe on {screen} at 200 %: {serious:#?}");
        let over = b.exec(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            json!([]),
        );
        assert!(
            over.as_i64().unwrap_or(9999) <= 0,
            "{screen} scrolls sideways by {over}px at 200 %"
        );
    }
}
