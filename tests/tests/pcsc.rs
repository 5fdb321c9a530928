//! The card path on real parts: the companion's PC/SC code → a real pcscd → vsmartcard's
//! vpcd driver → our emulated My Number card (`ukemi-devtools virtual-card`). OpenSC's own
//! JPKI driver reads the same emulated card and signs with it, as an independent check that
//! the emulation behaves like the real card. `cargo xtask test` starts pcscd and runs these
//! with `--features pcsc-rig`.

use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;
use ukemi_core::eligibility::QualificationValidity;
use ukemi_core::protocol::{CardKind, CheckMode, Command as Cmd, ErrorCode, Message, Pin};
use ukemi_e2e::{artifacts_dir, error_code, Client, Companion, VirtualCard};

/// vpcd has one slot we use: the tests take turns.
static SLOT: Mutex<()> = Mutex::new(());
const READER: &str = "Virtual PCD 00 00";
const EVENT_WAIT: Duration = Duration::from_secs(15);

fn take_slot() -> std::sync::MutexGuard<'static, ()> {
    SLOT.lock().unwrap_or_else(|p| p.into_inner())
}

fn check(c: &mut Client, mode: CheckMode, pin: Option<&str>, allow_last_try: bool) -> Message {
    c.call(Cmd::CheckByCard {
        reader: READER.into(),
        mode,
        pin: pin.map(Pin::new),
        allow_last_try,
        visual_confirmed: mode == CheckMode::Visual,
    })
}

fn wait_inserted(c: &mut Client) -> ukemi_core::protocol::CardInfo {
    match c.wait_event(
        EVENT_WAIT,
        |m| matches!(m, Message::CardInserted { reader, .. } if reader == READER),
    ) {
        Some(Message::CardInserted { card, .. }) => card,
        other => panic!("no CARD_INSERTED event: {other:?}"),
    }
}

fn wait_removed(c: &mut Client) {
    let ev = c.wait_event(
        EVENT_WAIT,
        |m| matches!(m, Message::CardRemoved { reader } if reader == READER),
    );
    assert!(ev.is_some(), "no CARD_REMOVED event");
}

#[test]
fn readers_are_listed_and_card_events_arrive_without_polling_the_page() {
    let _slot = take_slot();
    let comp = Companion::start_pcsc(&[], &[]);
    let mut c = comp.paired_client();
    match c.call(Cmd::GetReaders) {
        Message::Readers { readers } => {
            let names: Vec<_> = readers.iter().map(|r| r.name.as_str()).collect();
            assert!(
                names.contains(&READER) && names.contains(&"Virtual PCD 00 01"),
                "{names:?}"
            );
            assert!(readers.iter().all(|r| !r.simulated));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error_code(&check(&mut c, CheckMode::Visual, None, false)),
        Some(ErrorCode::NoCard)
    );
    let card = VirtualCard::insert("normal", &[]);
    let info = wait_inserted(&mut c);
    assert_eq!(
        (info.kind, info.pin_tries_left),
        (CardKind::MyNumber, Some(3))
    );
    drop(card);
    wait_removed(&mut c);
}

#[test]
fn pin_check_wrong_pin_then_right_pin() {
    let _slot = take_slot();
    let comp = Companion::start_pcsc(&[], &[]);
    let mut c = comp.paired_client();
    let _card = VirtualCard::insert("normal", &[]);
    wait_inserted(&mut c);
    match check(&mut c, CheckMode::Pin, Some("9999"), false) {
        Message::Error {
            code: ErrorCode::PinWrong,
            message,
            detail,
        } => {
            assert_eq!(detail.tries_left, Some(2));
            assert!(message.contains("残り2回"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let m = check(&mut c, CheckMode::Pin, Some("1234"), false);
    match &m {
        Message::Eligibility { result } => {
            let q = result.primary().expect("qualification");
            assert_eq!(q.name, "山田　花子");
            assert_eq!(
                q.address.as_deref(),
                Some("東京都世田谷区太子堂四丁目1番1号")
            );
        }
        other => panic!("{other:?}"),
    }
    let status = c.call(Cmd::GetCardStatus {
        reader: READER.into(),
    });
    assert!(
        matches!(&status, Message::CardStatus { card, .. } if card.pin_tries_left == Some(3)),
        "{status:?}"
    );
    let log = comp.log();
    assert!(
        !log.contains("9999") && !log.contains("\"1234\""),
        "PIN in the log:\n{log}"
    );
}

#[test]
fn visual_check_reads_the_certificate_without_a_pin() {
    let _slot = take_slot();
    let comp = Companion::start_pcsc(&[], &[]);
    let mut c = comp.paired_client();
    let _card = VirtualCard::insert("lost", &[]);
    wait_inserted(&mut c);
    let m = check(&mut c, CheckMode::Visual, None, false);
    assert!(
        matches!(&m, Message::Eligibility { result } if result.validity == QualificationValidity::Invalid),
        "{m:?}"
    );
}

#[test]
fn wrong_pin_down_to_lock_then_visual_still_works() {
    let _slot = take_slot();
    let comp = Companion::start_pcsc(&[], &[]);
    let mut c = comp.paired_client();
    let _card = VirtualCard::insert("normal", &[]);
    wait_inserted(&mut c);
    for left in [2u8, 1] {
        let m = check(&mut c, CheckMode::Pin, Some("0000"), false);
        assert!(
            matches!(&m, Message::Error { code: ErrorCode::PinWrong, detail, .. } if detail.tries_left == Some(left)),
            "{m:?}"
        );
    }
    // One try left: the companion will not spend it without the page's confirmation.
    assert_eq!(
        error_code(&check(&mut c, CheckMode::Pin, Some("0000"), false)),
        Some(ErrorCode::LastTryNotConfirmed)
    );
    assert_eq!(
        error_code(&check(&mut c, CheckMode::Pin, Some("0000"), true)),
        Some(ErrorCode::PinLocked)
    );
    assert_eq!(
        error_code(&check(&mut c, CheckMode::Pin, Some("1234"), true)),
        Some(ErrorCode::PinLocked)
    );
    let m = check(&mut c, CheckMode::Visual, None, false);
    assert!(matches!(m, Message::Eligibility { .. }), "{m:?}");
}

#[test]
fn other_cards_are_named() {
    let _slot = take_slot();
    let comp = Companion::start_pcsc(&[], &[]);
    let mut c = comp.paired_client();
    for (persona, kind, code) in [
        ("foreign", CardKind::Other, ErrorCode::NotMyNumberCard),
        ("juki", CardKind::Juki, ErrorCode::JukiCard),
    ] {
        let card = VirtualCard::insert(persona, &[]);
        assert_eq!(wait_inserted(&mut c).kind, kind);
        assert_eq!(
            error_code(&check(&mut c, CheckMode::Visual, None, false)),
            Some(code)
        );
        drop(card);
        wait_removed(&mut c);
    }
}

#[test]
fn card_pulled_out_mid_check_then_the_next_check_works() {
    let _slot = take_slot();
    let comp = Companion::start_pcsc(&[], &[]);
    let mut c = comp.paired_client();
    // Identification on arrival takes 5 APDUs; the check dies while reading the certificate.
    let card = VirtualCard::insert("normal", &["--remove-after-apdus", "9"]);
    wait_inserted(&mut c);
    let m = check(&mut c, CheckMode::Pin, Some("1234"), false);
    assert_eq!(error_code(&m), Some(ErrorCode::CardRemoved), "{m:?}");
    card.wait();
    wait_removed(&mut c);
    let _card = VirtualCard::insert("normal", &[]);
    wait_inserted(&mut c);
    assert!(matches!(
        check(&mut c, CheckMode::Pin, Some("1234"), false),
        Message::Eligibility { .. }
    ));
}

#[test]
fn pcscd_absent_is_a_clear_state() {
    let comp = Companion::start_pcsc(
        &[],
        &[("PCSCLITE_CSOCK_NAME", "/nonexistent/ukemi/pcscd.comm")],
    );
    let mut c = comp.paired_client();
    match c.call(Cmd::GetReaders) {
        Message::Error {
            code: ErrorCode::ReaderServiceUnavailable,
            message,
            ..
        } => {
            assert!(message.contains("スマートカードサービス"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_reader_is_a_clear_state() {
    let comp = Companion::start_pcsc_without_readers();
    let mut c = comp.paired_client();
    match c.call(Cmd::GetReaders) {
        Message::Readers { readers } => assert!(readers.is_empty(), "{readers:?}"),
        other => panic!("{other:?}"),
    }
    match check(&mut c, CheckMode::Visual, None, false) {
        Message::Error {
            code: ErrorCode::ReaderNotFound | ErrorCode::NoReader,
            message,
            ..
        } => {
            assert!(message.contains("リーダー"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_card_is_used_in_the_reader_named_by_the_page() {
    let _slot = take_slot();
    let comp = Companion::start_pcsc(&[], &[]);
    let mut c = comp.paired_client();
    let _card = VirtualCard::insert("kokuho", &["--port", "35964"]);
    let ev = c.wait_event(
        EVENT_WAIT,
        |m| matches!(m, Message::CardInserted { reader, .. } if reader == "Virtual PCD 00 01"),
    );
    assert!(ev.is_some(), "no CARD_INSERTED for the second reader");
    assert_eq!(
        error_code(&check(&mut c, CheckMode::Visual, None, false)),
        Some(ErrorCode::NoCard)
    );
    let m = c.call(Cmd::CheckByCard {
        reader: "Virtual PCD 00 01".into(),
        mode: CheckMode::Visual,
        pin: None,
        allow_last_try: false,
        visual_confirmed: true,
    });
    assert!(
        matches!(&m, Message::Eligibility { result } if result.primary().is_some_and(|q| q.name == "高橋　誠")),
        "{m:?}"
    );
}

/// OpenSC's own JPKI driver (an independent implementation) reads our emulated card's
/// certificate and signs with its key; our certificate parser verifies that signature.
#[test]
fn opensc_reads_and_signs_with_the_emulated_card() {
    let _slot = take_slot();
    let _card = VirtualCard::insert("normal", &[]);
    std::thread::sleep(Duration::from_millis(500));
    let dir = artifacts_dir().join("opensc");
    let _ = std::fs::create_dir_all(&dir);
    let run = |args: &[&str]| {
        let out = Command::new(args[0])
            .args(&args[1..])
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", args[0]));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{args:?} failed:\n{text}");
        text
    };
    let driver = run(&["opensc-tool", "--reader", "0", "--name"]);
    assert!(
        driver.contains("jpki"),
        "OpenSC did not recognise a JPKI card: {driver}"
    );
    let cert_path = dir.join("auth-cert.der");
    run(&[
        "pkcs15-tool",
        "--reader",
        "0",
        "--read-certificate",
        "01",
        "--output",
        &cert_path.to_string_lossy(),
    ]);
    let msg_path = dir.join("message.txt");
    std::fs::write(&msg_path, b"Ukemi cross-check with OpenSC").expect("write");
    let sig_path = dir.join("signature.bin");
    let module = [
        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/opensc-pkcs11.so",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .expect("opensc-pkcs11.so");
    run(&[
        "pkcs11-tool",
        "--module",
        module,
        "--slot-index",
        "0",
        "--login",
        "--pin",
        "1234",
        "--id",
        "01",
        "--sign",
        "--mechanism",
        "SHA256-RSA-PKCS",
        "--input-file",
        &msg_path.to_string_lossy(),
        "--output-file",
        &sig_path.to_string_lossy(),
    ]);
    let pem_or_der = std::fs::read(&cert_path).expect("certificate");
    let der = if pem_or_der.starts_with(b"-----BEGIN") {
        pem_to_der(&pem_or_der)
    } else {
        pem_or_der
    };
    let cert =
        ukemi_core::jpki::pki::CardCertificate::parse(&der).expect("OpenSC's certificate parses");
    assert_eq!(
        cert.serial_hex, "10000000",
        "the 'normal' persona's certificate"
    );
    let sig = std::fs::read(&sig_path).expect("signature");
    assert!(
        cert.verifies(b"Ukemi cross-check with OpenSC", &sig),
        "OpenSC's signature does not verify"
    );
}

fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(pem);
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    ukemi_e2e::webdriver::base64_decode(&b64)
}
