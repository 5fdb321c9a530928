//! The local protocol against the real companion binary over real sockets: the origin and
//! host guards, pairing, bad frames, and card checks in simulator mode.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use ukemi_core::eligibility::{InsuranceQuery, QualificationValidity};
use ukemi_core::protocol::{CheckMode, Command, ErrorCode, Message, Pin};
use ukemi_e2e::{error_code, Client, Companion};

/// `needle` appearing with no digit on either side (so port 41234 does not count as "1234").
fn contains_standalone(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit());
        let after = hay[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
        !before && !after
    })
}

fn insert(c: &mut Client, persona: &str) {
    let m = c.call(Command::SimInsertCard {
        persona: persona.into(),
    });
    assert!(matches!(m, Message::Ok), "{m:?}");
}

fn check_pin(c: &mut Client, pin: &str, allow_last_try: bool) -> Message {
    c.call(Command::CheckByCard {
        reader: "Simulator".into(),
        mode: CheckMode::Pin,
        pin: Some(Pin::new(pin)),
        allow_last_try,
        visual_confirmed: false,
    })
}

#[test]
fn foreign_origin_missing_origin_and_rebinding_host_are_refused_at_the_handshake() {
    let comp = Companion::start(&[]);
    let err = comp
        .connect(Some("https://evil.example"))
        .err()
        .expect("refused");
    assert!(err.contains("403"), "{err}");
    let err = comp
        .connect(Some("http://127.0.0.1:1"))
        .err()
        .expect("refused");
    assert!(err.contains("403"), "{err}");
    let err = comp.connect(None).err().expect("refused");
    assert!(err.contains("403"), "{err}");
    let err = comp
        .connect_with(
            Some(&comp.origin()),
            &format!("rebind.evil.example:{}", comp.port),
            "/v1",
        )
        .err()
        .expect("refused");
    assert!(err.contains("403"), "{err}");
    let err = comp
        .connect_with(
            Some(&comp.origin()),
            &format!("127.0.0.1:{}", comp.port),
            "/v2",
        )
        .err()
        .expect("refused");
    assert!(err.contains("404"), "{err}");
    // The companion's own origin, and an origin an administrator allowed, get through.
    assert!(comp.connect(Some(&comp.origin())).is_ok());
    assert!(comp
        .connect(Some(&format!("http://localhost:{}", comp.port)))
        .is_ok());
    let comp2 = Companion::start(&["--allow-origin", "https://portal.example.jp"]);
    assert!(comp2.connect(Some("https://portal.example.jp")).is_ok());
    assert!(comp
        .log()
        .contains("origin https://evil.example not allowed"));
}

#[test]
fn static_files_are_refused_to_a_rebinding_host() {
    let comp = Companion::start(&[]);
    let mut s = TcpStream::connect(("127.0.0.1", comp.port)).expect("connect");
    write!(
        s,
        "GET / HTTP/1.1\r\nHost: evil.example:{}\r\n\r\n",
        comp.port
    )
    .expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 403"), "{out}");
}

#[test]
fn commands_need_hello_then_an_approved_pairing_then_a_proved_key() {
    let comp = Companion::start(&[]);
    let mut c = comp.connect(Some(&comp.origin())).expect("connect");
    assert_eq!(
        error_code(&c.call(Command::GetReaders)),
        Some(ErrorCode::HelloRequired)
    );
    let hello = c.hello();
    assert!(
        matches!(
            hello,
            Message::Hello {
                simulator: true,
                api_level: 2,
                pairing: ukemi_core::protocol::PairingState::Required,
                ..
            }
        ),
        "{hello:?}"
    );
    assert_eq!(
        error_code(&c.call(Command::GetReaders)),
        Some(ErrorCode::NotPaired)
    );
    // The request waits on the approval page, which shows the origin and the same code.
    let req = c.send(Command::Pair);
    let (code, url) = match c.recv().expect("pending").body {
        Message::PairingPending { code, approve_url } => (code, approve_url),
        other => panic!("{other:?}"),
    };
    assert_eq!(url, format!("http://127.0.0.1:{}/pair", comp.port));
    let pending = comp.pending();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0].1.as_str(), pending[0].2.as_str()),
        (comp.origin().as_str(), code.as_str())
    );
    let page = ureq::get(&url)
        .call()
        .expect("approval page")
        .body_mut()
        .read_to_string()
        .expect("html");
    assert!(
        page.contains(&comp.origin()) && page.contains(&format!("{} {}", &code[..3], &code[3..]))
    );
    // Another web site cannot press the button for the clinic.
    assert_eq!(comp.decide_from(&code, true, "https://evil.example"), 403);
    assert_eq!(comp.decide(&code, true), 303);
    let key = match c.answer(req) {
        Message::Paired { key, companion_id } => {
            assert_eq!(companion_id, c.companion_id);
            ukemi_core::protocol::auth::SharedKey::from_hex(&key).expect("key")
        }
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        c.call(Command::GetReaders),
        Message::Readers { .. }
    ));

    // A new connection proves the kept key (and checks the companion's proof); the same
    // key from another allowed origin is worthless.
    let mut again = comp.connect(Some(&comp.origin())).expect("connect");
    again.hello();
    assert!(matches!(
        again.authenticate(&key),
        Message::Authenticated { .. }
    ));
    assert!(matches!(
        again.call(Command::GetReaders),
        Message::Readers { .. }
    ));
    let mut other = comp
        .connect(Some(&format!("http://localhost:{}", comp.port)))
        .expect("connect");
    other.hello();
    assert_eq!(
        error_code(&other.authenticate(&key)),
        Some(ErrorCode::KeyUnknown)
    );
    // The log says a request was pending, never the code or the key.
    let log = comp.log();
    assert!(log.contains("waits for approval at"), "{log}");
    assert!(!contains_standalone(&log, &code), "code in log");
    assert!(!log.contains(&key.to_hex()), "key in log");
}

#[test]
fn a_refused_request_is_answered_and_slows_only_that_origin() {
    let comp = Companion::start(&["--allow-origin", "https://portal.example.jp"]);
    let mut c = comp
        .connect(Some("https://portal.example.jp"))
        .expect("connect");
    c.hello();
    let req = c.send(Command::Pair);
    let code = match c.recv().expect("pending").body {
        Message::PairingPending { code, .. } => code,
        other => panic!("{other:?}"),
    };
    assert_eq!(comp.decide(&code, false), 303);
    assert_eq!(error_code(&c.answer(req)), Some(ErrorCode::PairingRefused));
    assert_eq!(
        error_code(&c.call(Command::Pair)),
        Some(ErrorCode::PairingRateLimited)
    );
    // The clinic's own page still pairs at once.
    let mut own = comp.paired_client();
    assert!(matches!(
        own.call(Command::GetReaders),
        Message::Readers { .. }
    ));
}

#[test]
fn trusted_origins_pair_without_a_click_but_still_prove_a_key() {
    let comp = Companion::start(&["--trust-origin", "https://clinic.example.jp"]);
    let mut c = comp
        .connect(Some("https://clinic.example.jp"))
        .expect("connect");
    let hello = c.hello();
    assert!(matches!(
        hello,
        Message::Hello {
            pairing: ukemi_core::protocol::PairingState::Trusted,
            ..
        }
    ));
    assert_eq!(
        error_code(&c.call(Command::GetReaders)),
        Some(ErrorCode::NotPaired)
    );
    let key = match c.call(Command::Pair) {
        Message::Paired { key, .. } => {
            ukemi_core::protocol::auth::SharedKey::from_hex(&key).expect("key")
        }
        other => panic!("{other:?}"),
    };
    assert!(matches!(
        c.call(Command::GetReaders),
        Message::Readers { .. }
    ));
    let mut again = comp
        .connect(Some("https://clinic.example.jp"))
        .expect("connect");
    again.hello();
    assert!(matches!(
        again.authenticate(&key),
        Message::Authenticated { .. }
    ));
}

#[test]
fn malformed_unknown_binary_and_oversized_frames() {
    let comp = Companion::start(&[]);
    let mut c = comp.paired_client();
    c.send_raw("{this is not json");
    assert_eq!(
        error_code(&c.recv().expect("reply").body),
        Some(ErrorCode::InvalidMessage)
    );
    c.send_raw(r#"{"cmd":"FORMAT_DISK","req":41}"#);
    let m = c.recv().expect("reply");
    assert_eq!(
        (m.req, error_code(&m.body)),
        (Some(41), Some(ErrorCode::UnknownCommand))
    );
    c.send_raw(r#"{"cmd":"GET_CARD_STATUS","req":42}"#);
    let m = c.recv().expect("reply");
    assert_eq!(
        (m.req, error_code(&m.body)),
        (Some(42), Some(ErrorCode::InvalidMessage))
    );
    c.ws.send(tungstenite::Message::binary(vec![1u8, 2, 3]))
        .expect("send");
    assert_eq!(
        error_code(&c.recv().expect("reply").body),
        Some(ErrorCode::BinaryNotSupported)
    );
    // Still usable after all that.
    assert!(matches!(
        c.call(Command::GetReaders),
        Message::Readers { .. }
    ));
    // Oversized: the companion closes cleanly with a reason.
    let big = format!(r#"{{"cmd":"AUTH","proof":"{}"}}"#, "9".repeat(200 * 1024));
    let _ = c.ws.send(tungstenite::Message::text(big));
    let closed = loop {
        match c.ws.read() {
            Ok(tungstenite::Message::Close(f)) => break f,
            Ok(_) => continue,
            Err(e) => panic!("expected a close frame, got {e}"),
        }
    };
    let frame = closed.expect("close frame with a reason");
    assert_eq!(u16::from(frame.code), 1009);
    // The companion itself is fine.
    let mut d = comp.paired_client();
    assert!(matches!(
        d.call(Command::GetReaders),
        Message::Readers { .. }
    ));
}

#[test]
fn card_check_with_pin_wrong_pin_and_events() {
    let comp = Companion::start(&[]);
    let mut watcher = comp.paired_client();
    let mut c = comp.paired_client();
    assert_eq!(
        error_code(&check_pin(&mut c, "1234", false)),
        Some(ErrorCode::NoCard)
    );
    insert(&mut c, "normal");
    let ev = watcher.wait_event(Duration::from_secs(10), |m| {
        matches!(m, Message::CardInserted { .. })
    });
    assert!(
        matches!(&ev, Some(Message::CardInserted { card, .. }) if card.pin_tries_left == Some(3)),
        "{ev:?}"
    );

    match check_pin(&mut c, "9999", false) {
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
    assert_eq!(
        error_code(&check_pin(&mut c, "12a4", false)),
        Some(ErrorCode::PinFormat)
    );
    let status = c.call(Command::GetCardStatus {
        reader: "Simulator".into(),
    });
    assert!(
        matches!(&status, Message::CardStatus { card, .. } if card.pin_tries_left == Some(2)),
        "{status:?}"
    );

    let req = c.send(Command::CheckByCard {
        reader: "Simulator".into(),
        mode: CheckMode::Pin,
        pin: Some(Pin::new("1234")),
        allow_last_try: false,
        visual_confirmed: false,
    });
    let answer = c.answer(req);
    let result = match answer {
        Message::Eligibility { result } => result,
        other => panic!("{other:?}"),
    };
    assert_eq!(result.validity, QualificationValidity::Valid);
    let q = result.primary().expect("qualification");
    assert_eq!(q.name, "山田　花子");
    assert_eq!(
        q.address.as_deref(),
        Some("東京都世田谷区太子堂四丁目1番1号")
    );
    assert_eq!(q.postal_code.as_deref(), Some("154-0004"));
    let steps: Vec<_> = c
        .events
        .iter()
        .filter(|m| matches!(m, Message::Progress { .. }))
        .collect();
    assert!(steps.len() >= 4, "progress steps: {steps:?}");

    // A successful PIN resets the counter.
    let status = c.call(Command::GetCardStatus {
        reader: "Simulator".into(),
    });
    assert!(
        matches!(&status, Message::CardStatus { card, .. } if card.pin_tries_left == Some(3)),
        "{status:?}"
    );

    assert!(matches!(c.call(Command::SimRemoveCard), Message::Ok));
    assert!(watcher
        .wait_event(Duration::from_secs(10), |m| matches!(
            m,
            Message::CardRemoved { .. }
        ))
        .is_some());
    let log = comp.log();
    for pin in ["1234", "9999"] {
        assert!(!contains_standalone(&log, pin), "PIN {pin} in log:\n{log}");
    }
}

#[test]
fn last_try_needs_confirmation_and_lock_is_explained() {
    let comp = Companion::start(&[]);
    let mut c = comp.paired_client();
    insert(&mut c, "one_try");
    assert_eq!(
        error_code(&check_pin(&mut c, "0000", false)),
        Some(ErrorCode::LastTryNotConfirmed)
    );
    // Refusing did not cost the try.
    let status = c.call(Command::GetCardStatus {
        reader: "Simulator".into(),
    });
    assert!(
        matches!(&status, Message::CardStatus { card, .. } if card.pin_tries_left == Some(1)),
        "{status:?}"
    );
    match check_pin(&mut c, "0000", true) {
        Message::Error {
            code: ErrorCode::PinLocked,
            message,
            ..
        } => assert!(message.contains("市区町村"), "{message}"),
        other => panic!("{other:?}"),
    }
    insert(&mut c, "locked");
    assert_eq!(
        error_code(&check_pin(&mut c, "1234", true)),
        Some(ErrorCode::PinLocked)
    );
    // 目視確認 still works for a locked card.
    let m = c.call(Command::CheckByCard {
        reader: "Simulator".into(),
        mode: CheckMode::Visual,
        pin: None,
        allow_last_try: false,
        visual_confirmed: true,
    });
    assert!(
        matches!(&m, Message::Eligibility { result } if result.validity == QualificationValidity::Valid),
        "{m:?}"
    );
}

#[test]
fn visual_mode_failures_and_other_cards() {
    let comp = Companion::start(&[]);
    let mut c = comp.paired_client();
    insert(&mut c, "lost");
    let visual = |confirmed| Command::CheckByCard {
        reader: "Simulator".into(),
        mode: CheckMode::Visual,
        pin: None,
        allow_last_try: false,
        visual_confirmed: confirmed,
    };
    assert_eq!(
        error_code(&c.call(visual(false))),
        Some(ErrorCode::VisualNotConfirmed)
    );
    let m = c.call(visual(true));
    assert!(
        matches!(&m, Message::Eligibility { result } if result.validity == QualificationValidity::Invalid),
        "{m:?}"
    );
    insert(&mut c, "juki");
    assert_eq!(error_code(&c.call(visual(true))), Some(ErrorCode::JukiCard));
    insert(&mut c, "foreign");
    assert_eq!(
        error_code(&c.call(visual(true))),
        Some(ErrorCode::NotMyNumberCard)
    );
    insert(&mut c, "service_error");
    assert_eq!(
        error_code(&c.call(visual(true))),
        Some(ErrorCode::ServiceError)
    );
    insert(&mut c, "cert_expired");
    assert_eq!(
        error_code(&c.call(visual(true))),
        Some(ErrorCode::CardCertificateExpired)
    );
    assert_eq!(
        error_code(&c.call(Command::SimInsertCard {
            persona: "nobody".into()
        })),
        Some(ErrorCode::UnknownPersona)
    );
    assert_eq!(
        error_code(&c.call(Command::GetCardStatus {
            reader: "Nope".into()
        })),
        Some(ErrorCode::ReaderNotFound)
    );
}

#[test]
fn two_pages_checking_at_once_are_queued_not_interleaved() {
    let comp = Companion::start(&[]);
    let mut a = comp.paired_client();
    let mut b = comp.paired_client();
    insert(&mut a, "slow");
    let check = || Command::CheckByCard {
        reader: "Simulator".into(),
        mode: CheckMode::Pin,
        pin: Some(Pin::new("1234")),
        allow_last_try: false,
        visual_confirmed: false,
    };
    let ra = a.send(check());
    std::thread::sleep(Duration::from_millis(300));
    let rb = b.send(check());
    let first = a.answer(ra);
    let second = b.answer(rb);
    assert!(matches!(first, Message::Eligibility { .. }), "{first:?}");
    assert!(matches!(second, Message::Eligibility { .. }), "{second:?}");
    assert!(
        b.events.iter().any(|m| matches!(
            m,
            Message::Progress {
                step: ukemi_core::protocol::ProgressStep::Queued,
                ..
            }
        )),
        "second page was not told it is queued: {:?}",
        b.events
    );
}

#[test]
fn check_by_insurance_numbers() {
    let comp = Companion::start(&[]);
    let mut c = comp.paired_client();
    let m = c.call(Command::CheckByInsurance {
        query: InsuranceQuery {
            insurer_number: "01130012".into(),
            symbol: Some("1234567".into()),
            number: "42".into(),
            branch: Some("00".into()),
            birthdate: ukemi_core::Date::parse("1968-04-12").expect("date"),
        },
    });
    match &m {
        Message::Eligibility { result } => {
            assert_eq!(
                result.primary().map(|q| q.name.as_str()),
                Some("山田　花子")
            );
        }
        other => panic!("{other:?}"),
    }
    let m = c.call(Command::CheckByInsurance {
        query: InsuranceQuery {
            insurer_number: "01130013".into(),
            symbol: None,
            number: "42".into(),
            branch: None,
            birthdate: ukemi_core::Date::parse("1968-04-12").expect("date"),
        },
    });
    match m {
        Message::Error {
            code: ErrorCode::InvalidQuery,
            detail,
            ..
        } => {
            assert_eq!(detail.field.as_deref(), Some("insurer_number"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn status_needs_pairing_and_does_not_wait_behind_a_card_check() {
    let comp = Companion::start(&[]);
    let mut c = comp.connect(Some(&comp.origin())).expect("connect");
    match c.hello() {
        Message::Hello { features, .. } => {
            assert!(features.iter().any(|f| f == "status"), "{features:?}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error_code(&c.call(Command::GetStatus)),
        Some(ErrorCode::NotPaired)
    );
    comp.pair(&mut c);
    match c.call(Command::GetStatus) {
        Message::Status(s) => {
            assert_eq!(s.service, ukemi_core::protocol::ServiceKind::Simulator);
            assert_eq!(s.service_reachable, ukemi_core::protocol::Reachable::Yes);
            assert_eq!(s.service_url, None);
            assert_eq!(s.certificate, None);
            assert_eq!(s.service_error, None);
            assert_eq!(s.companion_version, env!("CARGO_PKG_VERSION"));
            assert!(s.checked_at.ends_with("+09:00"), "{}", s.checked_at);
        }
        other => panic!("{other:?}"),
    }

    // A slow card check holds the card worker; the status answers meanwhile.
    let mut other = comp.paired_client();
    insert(&mut other, "slow");
    let check = other.send(Command::CheckByCard {
        reader: "Simulator".into(),
        mode: CheckMode::Pin,
        pin: Some(Pin::new("1234")),
        allow_last_try: false,
        visual_confirmed: false,
    });
    std::thread::sleep(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let m = c.call(Command::GetStatus);
    assert!(matches!(m, Message::Status(_)), "{m:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "the status waited {:?} behind the card check",
        started.elapsed()
    );
    let m = other.answer(check);
    assert!(matches!(m, Message::Eligibility { .. }), "{m:?}");
}
