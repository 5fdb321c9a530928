//! The clinic's whole month in real headless Chromium against the real companion: a book
//! (a 柔整 patient treated last month, a はり・きゅう patient whose 同意 ends this month) is
//! restored from a backup made by core; last month is closed (filed), its claim returned,
//! corrected and re-submitted with this month's batch keeping its 施術年月; a payment is
//! matched with the outstanding per insurer; the official app's pasted text registers a new
//! patient with the address and, for the はり・きゅう patient, warns at reception that the
//! 同意 is about to lapse, as the claim does; the 明細書, 領収証 and 日計表 are printed and read
//! back with pdftotext; a postal code fills an address and an address finds its code.

use serde_json::json;
use std::time::Duration;
use ukemi_core::claims::{self, ClaimInput, ClaimMonth, Visit, VisitMode};
use ukemi_core::eligibility::{
    EligibilityResult, PersonalFamily, Qualification, QualificationValidity, ReferenceKind, Sex,
};
use ukemi_core::records::{backup, Applied, Book, Edit, Settings};
use ukemi_core::Date;
use ukemi_e2e::pdf::{self, squash};
use ukemi_e2e::webdriver::Browser;
use ukemi_e2e::{artifacts_dir, dist, Companion};

const WAIT: Duration = Duration::from_secs(30);
const JUDO: &str = include_str!("../fixtures/claims/judo_sprain_3parts.json");

fn d(s: &str) -> Date {
    Date::parse(s).expect("test date")
}

fn go(b: &Browser, screen: &str) {
    b.click(&format!("#nav-{screen}"));
    b.wait_for(&format!("#nav-{screen}[aria-current=page]"), WAIT);
}

fn assert_accessible(b: &Browser, screen: &str) {
    let v = b.axe_serious(None);
    assert!(v.is_empty(), "axe on {screen}: {v:#?}");
}

fn qualification(
    name: &str,
    kana: &str,
    birth: &str,
    number: &str,
    address: &str,
) -> Qualification {
    Qualification {
        insurer_number: "06139992".into(),
        insurer_name: "うけみ健康保険組合".into(),
        card_classification: None,
        symbol: Some("12".into()),
        number: number.into(),
        branch: Some("00".into()),
        personal_family: PersonalFamily::Insured,
        insured_name: None,
        name: name.into(),
        name_kana: kana.into(),
        sex: Sex::Female,
        birthdate: d(birth),
        address: Some(address.into()),
        postal_code: None,
        qualification_date: Some(d("2020-04-01")),
        disqualification_date: None,
        reason_of_loss: None,
        valid_from: Some(d("2020-04-01")),
        valid_until: None,
        contribution_percent: Some(30),
        preschool: false,
        elderly: None,
    }
}

fn register(book: &mut Book, q: Qualification, on: Date) -> String {
    let result = EligibilityResult {
        checked_on: on,
        reference: ReferenceKind::CardPin,
        validity: QualificationValidity::Valid,
        qualifications: vec![q],
        notice: None,
        card_serial: None,
    };
    match book.apply(Edit::RegisterCheck {
        result,
        qualification: None,
        at: format!("{on}T09:00:00Z"),
    }) {
        Ok(Applied::Registered(r)) => r[0].patient_id.clone(),
        other => panic!("{other:?}"),
    }
}

fn new_case(book: &mut Book, patient_id: String, input: &ClaimInput) -> String {
    let Ok(Applied::Case(id)) = book.apply(Edit::NewCase {
        patient_id,
        case: input.case.clone(),
    }) else {
        panic!("case")
    };
    for v in &input.visits {
        book.apply(Edit::SetVisit {
            case_id: id.clone(),
            visit: v.clone(),
        })
        .expect("visit");
    }
    id
}

/// The month `n` months before `m`.
fn back(m: ClaimMonth, n: u32) -> ClaimMonth {
    (0..n).fold(m, |m, _| m.previous())
}

struct Fixture {
    book: Book,
    judo_patient: String,
    acu_patient: String,
}

/// Last month: the 3-part sprain of docs/claims.md (合計 8,691, 請求金額 6,083, the first
/// day's window 1,220). This month: a はり・きゅう patient first treated on the 10th five
/// months ago, so the 同意 runs to this month's end.
fn fixture(this: ClaimMonth) -> Fixture {
    let prev = this.previous();
    let mut book = Book::default();
    let judo: ClaimInput =
        serde_json::from_str(&JUDO.replace("2024-10-", &format!("{prev}-"))).expect("fixture");
    book.apply(Edit::PutSettings(Settings {
        clinic: judo.clinic.clone(),
        practitioners: judo.practitioners.clone(),
        ..Settings::default()
    }))
    .expect("settings");
    let first_day = prev.first_day().expect("month");
    let judo_patient = register(
        &mut book,
        qualification(
            "山田　一郎",
            "ヤマダ　イチロウ",
            "1980-05-05",
            "345",
            "東京都新宿区西新宿2-8-1",
        ),
        first_day,
    );
    new_case(&mut book, judo_patient.clone(), &judo);

    let start = back(this, 5);
    let first = d(&format!("{start}-10"));
    let acu_patient = register(
        &mut book,
        qualification(
            "鈴木　花子",
            "スズキ　ハナコ",
            "1950-02-03",
            "678",
            "東京都千代田区千代田1-1",
        ),
        first,
    );
    let mut acu: ClaimInput = serde_json::from_str(include_str!(
        "../fixtures/claims/acupuncture_home_visit.json"
    ))
    .expect("fixture");
    if let claims::Case::Acupuncture(a) = &mut acu.case {
        a.first_visit_date = first;
        a.reconsents.clear();
        if let Some(c) = a.consent.as_mut() {
            c.date = first;
            c.valid_until = claims::consent::rule_until(first, false);
        }
        a.outcome = None;
    }
    let visit = |date: Date| {
        let mut v = Visit::on(date);
        v.techniques = Some(2);
        v
    };
    // This month's visit is at home: it goes on the 往療内訳表.
    let mut home = visit(d(&format!("{this}-01")));
    home.mode = VisitMode::Home {
        people: 1,
        distance_km: Some(3.0),
    };
    acu.visits = vec![visit(first), home];
    new_case(&mut book, acu_patient.clone(), &acu);
    Fixture {
        book,
        judo_patient,
        acu_patient,
    }
}

fn stub_print(b: &Browser) {
    b.exec(
        "window.__printed = 0; window.print = () => { window.__printed += 1; };",
        json!([]),
    );
}

fn printed_pdf(b: &Browser, sheets: &str, stem: &str) -> String {
    b.wait_for(&format!("{sheets} .doc"), WAIT);
    let file = artifacts_dir().join(format!("{stem}.pdf"));
    b.print_pdf(&file);
    let text = pdf::text(&file);
    let png = pdf::page_png(&file, 1, 60, stem);
    assert!(std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0) > 3_000);
    text
}

#[test]
fn a_clinics_month_returns_payments_consent_documents_paste_and_postal_codes() {
    let comp = Companion::start(&["--serve", &dist(false).to_string_lossy()]);
    let b = Browser::start();
    b.goto(&format!("{}/", comp.origin()));
    b.wait_for("#pairing-code", WAIT);
    comp.approve_next(&comp.origin());
    b.wait_for("#sim-persona option[value=\"normal\"]", WAIT);
    let ym = b.exec(
        "const d = new Date(); return [d.getFullYear(), d.getMonth() + 1];",
        json!([]),
    );
    let this = ClaimMonth {
        year: ym[0].as_i64().unwrap_or(0) as i32,
        month: ym[1].as_i64().unwrap_or(0) as u8,
    };
    let prev = this.previous();
    let f = fixture(this);
    let dir = std::fs::canonicalize(artifacts_dir()).expect("artifacts dir");
    let file = dir.join("clinic-month-backup.json");
    std::fs::write(&file, backup::export(&f.book, "2026-01-01T00:00:00Z")).expect("backup");
    go(&b, "settings");
    b.type_into("#backup-file", &file.to_string_lossy());
    b.click("#backup-check");
    b.wait_for("#backup-confirm", WAIT);
    b.click("#backup-confirm");
    b.wait_text("#backup-message", "復元しました", WAIT);

    // 月次請求, last month: close (file) it.
    go(&b, "claims");
    b.select("#claims-month", &prev.to_string());
    b.wait_text("#claims-table", "山田　一郎", WAIT);
    if b.exec(
        "return !!document.querySelector('#ack-warnings');",
        json!([]),
    ) == json!(true)
    {
        b.click("#ack-warnings");
    }
    b.click("#close-month");
    b.wait_text("#month-state", "締め済み", WAIT);
    let case_id = f
        .book
        .cases_of(&f.judo_patient)
        .next()
        .map(|c| c.id.clone())
        .expect("judo case");
    b.wait_text(&format!("#status-{case_id}"), "提出済み", WAIT);

    // The insurer returns it: the insured's address was wrong.
    b.select("#return-case", &case_id);
    b.select("#return-reason", "other");
    b.fill("#return-note", "被保険者の住所の記載誤り");
    b.click("#return-save");
    b.wait_text(&format!("#status-{case_id}"), "返戻", WAIT);
    b.wait_text("#returns-list", "被保険者の住所の記載誤り", WAIT);
    assert_accessible(&b, "claims with a return");

    // Corrected on the patient, then re-submitted with this month's batch.
    go(&b, "patients");
    b.click(&format!("#patient-{}", f.judo_patient));
    b.fill("#ins-holder-address", "東京都新宿区西新宿2-8-2");
    b.wait_stored("ukemi", "patients", &f.judo_patient, "2-8-2", WAIT);
    go(&b, "claims");
    b.select("#claims-month", &prev.to_string());
    b.wait_for("#returns-list", WAIT);
    let ret_id = f.book.next_id + 1;
    b.click(&format!("#resubmit-r{ret_id}"));
    b.wait_text(&format!("#status-{case_id}"), "再請求済み", WAIT);
    // The batch of this month carries it, with its own 施術年月 and the corrected address.
    b.select("#claims-month", &this.to_string());
    let row = b.wait_text(&format!("#resubmitted-{case_id}"), "山田　一郎", WAIT);
    assert!(row.contains(&prev.wareki()), "{row}");
    assert!(row.contains("6,083"), "{row}");
    b.click("#preview-resubmitted");
    let sheets = b.wait_text("#resubmitted-sheets", "西新宿2-8-2", WAIT);
    assert!(
        squash(&sheets).contains(&squash(&format!("{}分", prev.wareki()))),
        "{sheets}"
    );
    // Its 総括票 is the batch's: none of its own here; the month's print binds it in, under
    // this month (月遅れ・再提出分 are bundled into the current month).
    b.wait_for("#resubmitted-summary-note", WAIT);
    assert_eq!(
        b.exec(
            "return document.querySelectorAll('#resubmitted-sheets .sheet-summary').length;",
            serde_json::json!([]),
        ),
        serde_json::json!(0)
    );
    b.click("#preview-all");
    b.wait_for("#claim-sheets", WAIT);
    // The re-submitted 申請書 is in the month's stack, with its own 施術年月.
    let forms = b.exec(
        "return [...document.querySelectorAll('#claim-sheets article.sheet:not(.sheet-summary)')].map(a => a.getAttribute('aria-label'));",
        serde_json::json!([]),
    );
    assert!(
        forms.as_array().is_some_and(|a| a.iter().any(|x| {
            let l = squash(x.as_str().unwrap_or(""));
            l.contains(&squash(&format!("{}分", prev.wareki()))) && l.contains("山田")
        })),
        "the re-submission bound with this month's forms: {forms}"
    );
    let summaries = b.exec(
        "return [...document.querySelectorAll('#claim-sheets .sheet-summary')].map(a => a.getAttribute('aria-label'));",
        serde_json::json!([]),
    );
    let labels: Vec<String> = summaries
        .as_array()
        .map(|a| a.iter().map(|x| squash(x.as_str().unwrap_or(""))).collect())
        .unwrap_or_default();
    assert!(!labels.is_empty(), "{summaries}");
    for l in &labels {
        assert!(
            l.contains(&squash(&format!("{}分", this.wareki())))
                && !l.contains(&squash(&format!("{}分", prev.wareki()))),
            "every 総括票 of the batch is this month's: {labels:?}"
        );
    }

    // 入金: last month's claim, paid 1,000 short.
    b.select("#claims-month", &prev.to_string());
    b.wait_for("#payment-form", WAIT);
    b.fill("#payment-amount", "5083");
    b.click("#payment-save");
    let out = b.wait_text("#outstanding-06139992", "1,000", WAIT);
    assert!(out.contains("6,083") && out.contains("5,083"), "{out}");
    b.wait_text("#payer-06139992", "1,000", WAIT);
    assert_accessible(&b, "claims with payments");

    // The はり・きゅう claim of this month warns that the 同意 ends this month.
    b.select("#claims-month", &this.to_string());
    b.wait_text("#claims-table", "同意の期限", WAIT);

    // 受付: the official app's text, pasted, registers a new patient with the address.
    go(&b, "reception");
    let text = "資格確認結果\n氏名：受付　次郎\nフリガナ：ｳｹﾂｹ ｼﾞﾛｳ\n生年月日：昭和60年1月15日\n性別：男\n保険者番号：06139992\n保険者名：うけみ健康保険組合\n記号：77\n番号：1001\n枝番：00\n本人・家族の別：本人\n一部負担金割合：3割\n住所：東京都千代田区千代田1-1\n郵便番号：100-0001\n";
    b.type_into("#paste-text", text);
    b.click("#paste-read");
    b.wait_text("#paste-report", "読み取りました", WAIT);
    b.wait_text("#result-name", "受付　次郎", WAIT);
    b.wait_text("#result-address", "東京都千代田区千代田1-1", WAIT);
    b.wait_text("#result-kana", "ウケツケ", WAIT);
    b.click("#register-patient");
    b.wait_text("#registration", "新しい患者として登録しました", WAIT);
    assert_accessible(&b, "reception after a paste");
    // A text missing a line says which and registers nothing.
    b.exec(
        "document.querySelector('#paste-text').value = '';",
        json!([]),
    );
    b.type_into("#paste-text", &text.replace("番号：1001\n", ""));
    b.click("#paste-read");
    b.wait_text("#paste-missing", "番号", WAIT);
    // The はり・きゅう patient's own check, pasted: reception warns of the 同意.
    b.exec(
        "document.querySelector('#paste-text').value = '';",
        json!([]),
    );
    b.type_into(
        "#paste-text",
        "氏名：鈴木　花子\n生年月日：1950/02/03\n性別：女\n保険者番号：06139992\n記号：12\n番号：678\n枝番：00\n住所：東京都千代田区千代田1-1\n",
    );
    b.click("#paste-read");
    b.wait_text("#result-name", "鈴木　花子", WAIT);
    b.click("#register-patient");
    let warn = b.wait_text("#reception-consent", "同意の期限", WAIT);
    assert!(warn.contains("鈴木　花子"), "{warn}");
    b.screenshot(&artifacts_dir().join("clinic-month-reception.png"));

    // 患者: the 同意 shown with its deadline, a postal code filling the address and back.
    go(&b, "patients");
    b.click(&format!("#patient-{}", f.acu_patient));
    b.wait_text("#ahaki-cases", "同意の期限", WAIT);
    // Its documents, printed from the case.
    let acu_case = f
        .book
        .cases_of(&f.acu_patient)
        .next()
        .map(|c| c.id.clone())
        .expect("acupuncture case");
    b.fill(
        &format!("#report-condition-{acu_case}"),
        "腰痛は軽減し歩行が安定",
    );
    b.wait_stored("ukemi", "cases", &acu_case, "歩行が安定", WAIT);
    stub_print(&b);
    b.click(&format!("#print-report-{acu_case}"));
    let sheets = format!("#ahaki-sheets-{acu_case}");
    let text = printed_pdf(&b, &sheets, "clinic-month-report");
    let s = squash(&text);
    assert!(s.contains("施術報告書") && s.contains("鈴木花子"), "{text}");
    assert!(
        s.contains("腰痛は軽減し歩行が安定") && s.contains("月平均"),
        "{text}"
    );
    b.click(&format!("#print-continuation-{acu_case}"));
    let text = printed_pdf(&b, &sheets, "clinic-month-continuation");
    assert!(squash(&text).contains("施術継続理由・状態記入書"), "{text}");
    b.click(&format!("#print-outreach-{acu_case}"));
    let text = printed_pdf(&b, &sheets, "clinic-month-outreach");
    let s = squash(&text);
    assert!(
        s.contains("往療内訳表") && s.contains("3km") && s.contains("施術所"),
        "{text}"
    );
    assert_eq!(b.exec("return window.__printed;", json!([])), json!(3));
    b.wait_text("#patients", "受付　次郎", WAIT);
    let new_id = b
        .exec(
            "return [...document.querySelectorAll('#patients [id^=patient-p]')].find(e => e.textContent.includes('受付')).id;",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string();
    b.click(&format!("#{new_id}"));
    b.wait_for("#patient-postal", WAIT);
    b.exec("const e = document.querySelector('#patient-address'); e.value = ''; e.dispatchEvent(new Event('change', {bubbles: true}));", json!([]));
    b.exec("const e = document.querySelector('#patient-postal'); e.value = '1000001'; e.dispatchEvent(new Event('change', {bubbles: true}));", json!([]));
    b.click("#patient-postal-fill");
    b.wait_text("#patient-postal-status", "東京都千代田区千代田", WAIT);
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let v = b.exec(
            "return document.querySelector('#patient-address').value;",
            json!([]),
        );
        if v == json!("東京都千代田区千代田") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "address not filled: {v}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    b.exec("const e = document.querySelector('#patient-postal'); e.value = ''; e.dispatchEvent(new Event('change', {bubbles: true}));", json!([]));
    b.exec("const e = document.querySelector('#patient-address'); e.value = '東京都千代田区千代田1-1'; e.dispatchEvent(new Event('change', {bubbles: true}));", json!([]));
    b.click("#patient-postal-find");
    b.wait_text("#patient-postal-status", "100-0001", WAIT);
    // The insured's address has no postal code of its own: the look-up brings a box.
    b.fill("#holder-postal-code", "1000002");
    b.click("#holder-postal-fill");
    b.wait_text("#holder-postal-status", "東京都千代田区皇居外苑", WAIT);
    b.wait_stored(
        "ukemi",
        "patients",
        &new_id.replace("patient-", ""),
        "皇居外苑",
        WAIT,
    );
    assert_accessible(&b, "patients with the postal look-up");

    // 窓口会計, last month's first day: the window amount from the claim, a 自費 item, paid.
    go(&b, "desk");
    b.fill("#price-name", "テーピング");
    b.fill("#price-yen", "500");
    b.click("#price-add");
    b.wait_text("#price-list", "テーピング", WAIT);
    b.set_date("#desk-day", &format!("{prev}-01"));
    let pid = &f.judo_patient;
    let row = b.wait_text(&format!("#desk-{pid}"), "1,220円", WAIT);
    assert!(row.contains("山田　一郎"), "{row}");
    b.click(&format!("#self-pay-add-{pid}"));
    b.wait_text(&format!("#desk-{pid}"), "テーピング", WAIT);
    b.click(&format!("#paid-{pid}"));
    b.wait_text("#desk-summary", "領収 1,720円", WAIT);
    assert!(b.text("#desk-summary").contains("未収 0円"));
    assert_accessible(&b, "front desk");
    stub_print(&b);

    b.click(&format!("#statement-{pid}"));
    let text = printed_pdf(&b, "#desk-sheets", "clinic-month-statement");
    let s = squash(&text);
    assert!(s.contains("明細書") && s.contains("山田一郎"), "{text}");
    assert!(
        s.contains("4,061円") && s.contains("1,220円"),
        "the day's total and the window:\n{text}"
    );
    assert!(s.contains("テーピング"), "{text}");

    b.click(&format!("#receipt-{pid}"));
    let text = printed_pdf(&b, "#desk-sheets", "clinic-month-receipt");
    let s = squash(&text);
    assert!(s.contains("領収証") && s.contains("山田一郎"), "{text}");
    assert!(s.contains("領収金額1,720円"), "{text}");
    assert!(s.contains(&squash(&f.book.settings.clinic.name)), "{text}");

    // The same 領収証 on A5, one page.
    b.select("#receipt-paper", "a5");
    b.click(&format!("#receipt-{pid}"));
    b.wait_for("#desk-sheets .doc.paper-a5", WAIT);
    let a5 = artifacts_dir().join("clinic-month-receipt-a5.pdf");
    b.print_pdf_on(&a5, 14.8, 21.0);
    let (w, h) = pdf::page_size_mm(&a5);
    assert!(
        (w - 148.0).abs() < 1.0 && (h - 210.0).abs() < 1.0,
        "{w} × {h} mm"
    );
    assert_eq!(pdf::pages(&a5), 1, "the A5 領収証 fits one sheet");
    assert!(squash(&pdf::text(&a5)).contains("領収金額1,720円"));
    b.select("#receipt-paper", "a4");

    b.click("#print-day-ledger");
    let text = printed_pdf(&b, "#desk-sheets", "clinic-month-ledger");
    let s = squash(&text);
    assert!(s.contains("日計表") && s.contains("山田一郎"), "{text}");
    assert!(
        s.contains("領収合計1,720円") && s.contains("未収合計0円"),
        "{text}"
    );
    let printed = b.exec("return window.__printed;", json!([]));
    assert_eq!(printed, json!(4), "each button asked the browser to print");
    b.screenshot(&artifacts_dir().join("clinic-month-desk.png"));

    // Everything is in the book after a reload.
    b.reload();
    go(&b, "claims");
    b.select("#claims-month", &prev.to_string());
    b.wait_text(&format!("#status-{case_id}"), "再請求済み", WAIT);
    b.wait_text("#outstanding-06139992", "1,000", WAIT);
}
