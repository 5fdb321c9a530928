//! The clinic's month end to end in real headless Chromium, against the real companion in
//! simulator mode: the clinic's settings, two patients checked by card and registered, a
//! 柔整 case and a はり・きゅう case with a month of visits, a finding seen and fixed, both
//! forms printed to PDF (text checked, PNG kept), CSV and JSON exported, the month closed;
//! then a reload shows everything still there, and a backup restored into a fresh browser
//! profile holds exactly the same data. A corrupt backup is refused and changes nothing.
//! axe-core runs on every screen.

use serde_json::{json, Value};
use std::time::Duration;
use ukemi_core::claims::{self, ClaimInput};
use ukemi_e2e::pdf::{self, squash};
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, Companion};

const WAIT: Duration = Duration::from_secs(30);

/// Keeps every Blob the page turns into a download, to read exports back.
fn capture_downloads(b: &Browser) {
    b.exec(
        "if (!window.__blobs) { window.__blobs = [];
           const orig = URL.createObjectURL.bind(URL);
           URL.createObjectURL = (x) => { window.__blobs.push(x); return orig(x); }; }",
        json!([]),
    );
}

fn last_download(b: &Browser, count_before: usize) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    while b
        .exec("return window.__blobs.length;", json!([]))
        .as_u64()
        .unwrap_or(0) as usize
        <= count_before
    {
        assert!(std::time::Instant::now() < deadline, "no download happened");
        std::thread::sleep(Duration::from_millis(100));
    }
    b.exec_async(
        "const done = arguments[arguments.length - 1];
         window.__blobs[window.__blobs.length - 1].text().then(done);",
        json!([]),
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

fn downloads(b: &Browser) -> usize {
    b.exec("return window.__blobs.length;", json!([]))
        .as_u64()
        .unwrap_or(0) as usize
}

fn assert_accessible(b: &Browser, screen: &str) {
    let v = b.axe_serious(None);
    assert!(v.is_empty(), "axe on {screen}: {v:#?}");
}

fn go(b: &Browser, screen: &str) {
    b.click(&format!("#nav-{screen}"));
    b.wait_for(&format!("#nav-{screen}[aria-current=page]"), WAIT);
}

/// The current month as the browser sees it: (year, month).
fn this_month(b: &Browser) -> (i64, i64) {
    let v = b.exec(
        "const d = new Date(); return [d.getFullYear(), d.getMonth() + 1];",
        json!([]),
    );
    (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0))
}

fn check_card(b: &Browser, persona: &str, name: &str) {
    b.select("#sim-persona", persona);
    b.click("#sim-insert");
    b.wait_text("#reader-status", "マイナンバーカード", WAIT);
    b.click("#mode-pin");
    b.type_into("#pin", "1234");
    b.click("#check-button");
    b.wait_text("#result-name", name, WAIT);
    b.click("#register-patient");
    b.wait_text("#registration", "新しい患者として登録しました", WAIT);
}

/// The backup's data part (the file also carries its creation time).
fn backup_data(text: &str) -> Value {
    let v: Value = serde_json::from_str(text).expect("backup is JSON");
    assert_eq!(v["format"], "ukemi-backup");
    v["data"].clone()
}

#[test]
fn a_month_for_two_patients_from_reception_to_a_restored_backup() {
    let comp = Companion::start(&["--serve", &dist(false).to_string_lossy()]);
    let b = Browser::start();
    b.goto(&format!("{}/", comp.origin()));
    b.wait_for("#pairing-code", WAIT);
    comp.approve_next(&comp.origin());
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    assert_accessible(&b, "reception");
    let (year, month) = this_month(&b);
    let ym = format!("{year:04}-{month:02}");
    let day = |d: u32| format!("{ym}-{d:02}");

    // 設定: the clinic, as printed on every form.
    go(&b, "settings");
    b.fill("#clinic-name", "うけみ接骨院");
    b.fill("#clinic-address", "東京都千代田区千代田1-1");
    b.fill("#clinic-prefecture", "13");
    b.fill("#clinic-registration", "協13-1234");
    b.fill("#clinic-manager", "受身　太郎");
    b.wait_for("#tariff-table", WAIT);
    assert_accessible(&b, "settings");

    // 受付: two patients checked by card and registered.
    go(&b, "reception");
    check_card(&b, "normal", "山田　花子");
    check_card(&b, "elderly", "佐藤　一郎");
    let second = "佐藤　一郎".to_string();
    b.screenshot(&artifacts_dir().join("workflow-registered.png"));

    // 患者: both listed, searchable; the detail has the insurance and check history.
    go(&b, "patients");
    b.wait_text("#patients", "山田　花子", WAIT);
    b.wait_text("#patients", &second, WAIT);
    b.fill("#patient-search", "ヤマダ");
    b.wait_text("#patient-count", "1人", WAIT);
    b.click("#patient-p1");
    b.wait_text("#insurance-history", "東京都世田谷区太子堂", WAIT);
    b.wait_text("#check-history", "暗証番号", WAIT);
    assert_accessible(&b, "patients");

    // 施術録 1: 柔整, a sprain, three visits.
    b.click("#to-records");
    b.wait_for("#nav-records[aria-current=page]", WAIT);
    b.select("#new-case-kind", "judo");
    b.click("#new-case");
    b.wait_for("#case-editor", WAIT);
    b.set_date("#case-first-visit", &day(1));
    b.set_date("#new-injury-date", &day(1));
    b.click("#add-injury");
    b.fill("#injury-1-site", "足関節");
    b.select("#injury-1-side", "right");
    b.set_date("#injury-1-date", &day(1));
    b.fill("#injury-1-cause", "自宅の階段を踏み外して負傷");
    b.wait_text("#case-heading", "右足関節捻挫", WAIT);
    for (d, cold) in [(1, true), (2, true), (3, false)] {
        b.click(&format!("#day-{}", day(d)));
        b.click("#add-visit");
        b.wait_for("#part-1", WAIT);
        if cold {
            b.click("#part-1-cold");
            b.wait_for("#part-1-cold:checked", WAIT);
        }
    }
    let amount = b.wait_text("#month-amount", "円", WAIT);
    assert!(
        amount.contains("実日数 3") || amount.contains("実日数3"),
        "{amount}"
    );
    // The window beside the form: the day open now (day 3: 後療 505) and the month.
    let day3 = b.wait_text("#day-amount", "窓口でいただく額", WAIT);
    assert!(day3.contains("505円"), "{day3}");
    assert!(b.text("#amount-window").ends_with('円'));
    assert_accessible(&b, "records (柔整)");
    b.screenshot(&artifacts_dir().join("workflow-records-judo.png"));

    // 施術録 2: はり・きゅう with consent, two visits — but no 症状名 yet.
    b.select("#records-patient", "p2");
    b.select("#new-case-kind", "acupuncture");
    b.click("#new-case");
    b.wait_for("#disease-lumbagosyndrome", WAIT);
    b.set_date("#case-first-visit", &day(1));
    b.click("#disease-lumbagosyndrome");
    b.wait_for("#disease-lumbagosyndrome:checked", WAIT);
    b.fill("#consent-doctor", "医師　一郎");
    b.set_date("#consent-date", &day(1));
    for d in [1, 8] {
        b.click(&format!("#day-{}", day(d)));
        b.click("#add-visit");
        b.select("#visit-techniques", "2");
    }
    b.wait_text("#record-findings", "症状名", WAIT);
    assert_accessible(&b, "records (はり・きゅう)");

    // 月次請求: the error blocks closing.
    go(&b, "claims");
    b.wait_for("#claims-table", WAIT);
    let table = b.text("#claims-table");
    assert!(
        table.contains("山田　花子") && table.contains(&second),
        "{table}"
    );
    assert!(table.contains("症状名"), "{table}");
    let disabled = b.exec(
        "return document.querySelector('#close-month').disabled;",
        json!([]),
    );
    assert_eq!(disabled, json!(true), "errors must block closing");
    assert_accessible(&b, "claims with a finding");
    // Printing stays possible for checking, but the flawed form says so on paper.
    b.click("#preview-all");
    let sheets = b.wait_text("#claim-sheets", "下書き", WAIT);
    assert_eq!(
        sheets.matches("エラーあり・提出不可").count(),
        1,
        "{sheets}"
    );

    // Fix it on the 施術録 and come back.
    go(&b, "records");
    b.select("#records-patient", "p2");
    b.fill("#case-symptoms", "腰部の疼痛・しびれ");
    b.wait_for("#month-amount", WAIT);
    let deadline = std::time::Instant::now() + WAIT;
    while b.text("#month-amount").contains("症状名") {
        assert!(
            std::time::Instant::now() < deadline,
            "the finding did not go away"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    go(&b, "claims");
    b.wait_for("#claims-table", WAIT);
    assert!(!b.text("#claims-table").contains("症状名"));

    // Print both forms (and the 総括票) in one job.
    b.click("#preview-all");
    b.wait_for("#claim-sheets", WAIT);
    assert!(!b.text("#claim-sheets").contains("下書き"));
    assert_accessible(&b, "claims with the print preview");
    let pdf = artifacts_dir().join("workflow-forms.pdf");
    b.print_pdf(&pdf);
    let text = squash(&pdf::text(&pdf));
    assert!(
        text.contains("山田花子"),
        "patient name in the PDF:\n{text}"
    );
    assert!(text.contains(&squash(&second)), "second patient in the PDF");
    assert!(
        text.contains("東京都世田谷区太子堂"),
        "insured's address in the PDF:\n{text}"
    );
    assert!(text.contains("柔道整復施術療養費支給申請書"), "{text}");
    assert!(text.contains("はり・きゅう"), "{text}");
    // 総括票 (Ⅰ and Ⅱ for each schedule) first, then one sheet per form.
    assert_eq!(
        pdf::pages(&pdf),
        6,
        "four 総括票 and two forms, one page each"
    );
    let judo_page = pdf::page_with(&pdf, "柔道整復施術療養費支給申請書").expect("様式第5号 page");
    let judo_text = squash(&pdf::page_text(&pdf, judo_page));
    assert!(
        judo_text.contains("山田花子") && judo_text.contains("東京都世田谷区太子堂"),
        "様式第5号 has the patient and the insured's address:\n{judo_text}"
    );
    for (page, stem) in [
        (judo_page, "workflow-form-5"),
        (
            pdf::page_with(&pdf, "はり・きゅう用").expect("様式第6号 page"),
            "workflow-form-6",
        ),
        (1, "workflow-summary"),
    ] {
        let png = pdf::page_png(&pdf, page, 70, stem);
        let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        assert!(size > 5_000, "{} is {size} bytes", png.display());
    }

    // Export: CSV and JSON, read back from what the page offered for download.
    capture_downloads(&b);
    let n = downloads(&b);
    b.click("#export-json");
    let json_text = last_download(&b, n);
    let export: Value = serde_json::from_str(&json_text).expect("JSON export parses");
    let exported = export["claims"].as_array().cloned().unwrap_or_default();
    assert_eq!(exported.len(), 2);
    // Each exported input, computed natively, gives the amounts the page computed in WASM,
    // and the printed form carries them.
    for c in &exported {
        let input: ClaimInput = serde_json::from_value(c["input"].clone()).expect("case format");
        let native = claims::compute(&input).expect("computes").remove(0);
        assert_eq!(c["claim"]["total_yen"], json!(native.total_yen));
        assert_eq!(c["claim"]["copay_yen"], json!(native.copay_yen));
        assert_eq!(c["claim"]["billed_yen"], json!(native.billed_yen));
        assert_eq!(c["claim"]["window_yen"], json!(native.window_yen));
        assert!(
            text.contains(&format!("{}円", native.total_yen)),
            "合計 {} in the PDF",
            native.total_yen
        );
    }
    let n = downloads(&b);
    b.click("#export-csv");
    let csv = last_download(&b, n);
    // Blob.text() drops a BOM, so look at the bytes.
    let head = b.exec_async(
        "const done = arguments[arguments.length - 1];
         window.__blobs[window.__blobs.length - 1].arrayBuffer()
           .then(x => done(Array.from(new Uint8Array(x).slice(0, 3))));",
        json!([]),
    );
    assert_eq!(
        head,
        json!([0xEF, 0xBB, 0xBF]),
        "CSV starts with a BOM for Excel"
    );
    assert_eq!(csv.trim_end().lines().count(), 3, "{csv}");
    assert!(csv.contains("東京都世田谷区太子堂"), "{csv}");

    // Close the month: visits become read-only.
    if b.exec(
        "return !!document.querySelector('#ack-warnings');",
        json!([]),
    ) == json!(true)
    {
        b.click("#ack-warnings");
    }
    b.click("#close-month");
    b.wait_text("#month-state", "締め済み", WAIT);
    go(&b, "records");
    b.select("#records-patient", "p1");
    b.click(&format!("#day-{}", day(5)));
    b.wait_for("#add-visit[disabled]", WAIT);
    b.wait_for("#month-closed-note", WAIT);

    // A correction typed and not yet left (no Tab) is saved as typed, and survives a reload.
    go(&b, "patients");
    b.click("#patient-p1");
    b.type_into(
        "#patient-address",
        "東京都世田谷区太子堂四丁目1番1号　101号室",
    );
    b.wait_stored("ukemi", "patients", "p1", "101号室", WAIT);
    assert_eq!(b.active_id(), "patient-address", "still in the field");

    // Reload: everything is still there.
    b.reload();
    go(&b, "claims");
    b.wait_text("#month-state", "締め済み", WAIT);
    assert!(b.text("#claims-table").contains("山田　花子"));
    go(&b, "patients");
    b.wait_text("#patients", &second, WAIT);
    b.wait_text("#patients", "101号室", WAIT);

    // Backup, then restore it into a fresh browser profile and compare.
    go(&b, "settings");
    capture_downloads(&b);
    let n = downloads(&b);
    b.click("#backup-save");
    let backup = last_download(&b, n);
    // File inputs want canonical paths.
    let dir = std::fs::canonicalize(artifacts_dir()).expect("artifacts dir");
    let file = dir.join("workflow-backup.json");
    std::fs::write(&file, &backup).expect("write backup");
    let corrupt = dir.join("workflow-backup-corrupt.json");
    std::fs::write(&corrupt, backup.replacen("太子堂", "太子台", 1)).expect("write");

    let fresh = Browser::start();
    fresh.goto(&format!("{}/#settings", comp.origin()));
    fresh.wait_for("#backup-file", WAIT);
    // A damaged file is refused and nothing changes.
    fresh.type_into("#backup-file", &corrupt.to_string_lossy());
    fresh.click("#backup-check");
    fresh.wait_text("#backup-message", "壊れている", WAIT);
    assert!(!fresh.body_text().contains("置き換えて復元する"));
    fresh.type_into("#backup-file", &file.to_string_lossy());
    fresh.click("#backup-check");
    fresh.wait_text("#backup-confirm-box", "患者2人", WAIT);
    assert_accessible(&fresh, "restore confirmation");
    fresh.click("#backup-confirm");
    fresh.wait_text("#backup-message", "復元しました", WAIT);
    // The restored data survives a reload, and backs up to the same data.
    fresh.reload();
    go(&fresh, "claims");
    fresh.wait_text("#month-state", "締め済み", WAIT);
    go(&fresh, "settings");
    capture_downloads(&fresh);
    let n = downloads(&fresh);
    fresh.click("#backup-save");
    let again = last_download(&fresh, n);
    assert_eq!(backup_data(&again), backup_data(&backup));

    go(&fresh, "readiness");
    assert_accessible(&fresh, "readiness");
}
