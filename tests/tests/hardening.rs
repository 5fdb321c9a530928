//! The local channel against hostile neighbours, on the real companion binary: another OS
//! user, a flood of idle sockets, a page that queues work and leaves, forged log lines, the
//! pairing file's mode. (A squatter on the first port is in browser.rs, against the page.)

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command as Process;
use std::time::{Duration, Instant};
use ukemi_core::eligibility::InsuranceQuery;
use ukemi_core::protocol::{CheckMode, ClientInfo, Command, ErrorCode, Message, Pin};
use ukemi_e2e::{error_code, Client, Companion};

/// The second OS user the tests run a client as. `cargo xtask test` creates it; the test
/// creates it too when it can (as root), and fails — never skips — when it cannot.
const OTHER_USER: &str = "ukemi-other";

fn other_uid() -> u32 {
    let lookup = || {
        Process::new("id")
            .args(["-u", OTHER_USER])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
    };
    if let Some(uid) = lookup() {
        return uid;
    }
    let made = Process::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            OTHER_USER,
        ])
        .status();
    lookup().unwrap_or_else(|| {
        panic!(
            "a second OS user `{OTHER_USER}` is needed to test the same-user check and could not \
             be created ({made:?}); run as root or create it with `useradd --system {OTHER_USER}`"
        )
    })
}

/// A WebSocket upgrade request sent with bash's /dev/tcp, as `user` (None: as ourselves);
/// returns what the companion answered within 3 s.
fn raw_request_as(user: Option<&str>, comp: &Companion) -> String {
    let request = format!(
        "GET /v1 HTTP/1.1\\r\\nHost: 127.0.0.1:{p}\\r\\nOrigin: http://127.0.0.1:{p}\\r\\n\
         Upgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Version: 13\\r\\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\n\\r\\n",
        p = comp.port
    );
    let script = format!(
        "exec 3<>/dev/tcp/127.0.0.1/{}; printf '{request}' >&3; timeout 3 cat <&3; true",
        comp.port
    );
    let mut cmd = match user {
        Some(u) => {
            let mut c = Process::new("setpriv");
            c.args([
                &format!("--reuid={u}"),
                &format!("--regid={u}"),
                "--clear-groups",
                "bash",
                "-c",
                &script,
            ]);
            c
        }
        None => {
            let mut c = Process::new("bash");
            c.args(["-c", &script]);
            c
        }
    };
    let out = cmd.output().expect("run the client");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn another_os_user_is_refused_before_anything_is_read() {
    let uid = other_uid();
    let comp = Companion::start(&[]);
    // Our own user gets the handshake; the other user gets nothing at all.
    let own = raw_request_as(None, &comp);
    assert!(own.starts_with("HTTP/1.1 101"), "own user: {own:?}");
    let other = raw_request_as(Some(OTHER_USER), &comp);
    assert_eq!(other, "", "another user got an answer: {other:?}");
    let log = comp.log();
    assert!(
        log.contains(&format!(
            "refused: connection from another user (uid {uid})"
        )),
        "{log}"
    );
    // The approval page is no different: another user cannot approve a pairing.
    let script = format!(
        "exec 3<>/dev/tcp/127.0.0.1/{p}; printf 'GET /pair HTTP/1.1\\r\\nHost: 127.0.0.1:{p}\\r\\n\\r\\n' >&3; timeout 3 cat <&3; true",
        p = comp.port
    );
    let out = Process::new("setpriv")
        .args([
            &format!("--reuid={OTHER_USER}"),
            &format!("--regid={OTHER_USER}"),
            "--clear-groups",
            "bash",
            "-c",
            &script,
        ])
        .output()
        .expect("run");
    assert!(
        out.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

fn visual(reader: &str) -> Command {
    Command::CheckByCard {
        reader: reader.into(),
        mode: CheckMode::Visual,
        pin: None,
        allow_last_try: false,
        visual_confirmed: true,
    }
}

#[test]
fn forty_idle_sockets_do_not_stop_a_page_from_connecting_and_checking_a_card() {
    let comp = Companion::start(&[]);
    let key = {
        let mut c = comp.paired_client();
        assert!(matches!(
            c.call(Command::SimInsertCard {
                persona: "normal".into()
            }),
            Message::Ok
        ));
        c.key.clone().expect("key")
    };
    // 40 plain TCP connections that never say anything, plus 10 WebSockets that never
    // say HELLO: before, 32 of them locked every page out indefinitely.
    let idle: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(("127.0.0.1", comp.port)).expect("connect"))
        .collect();
    let silent: Vec<Client> = (0..10)
        .map(|_| comp.connect(Some(&comp.origin())).expect("ws"))
        .collect();
    let started = Instant::now();
    let mut page = loop {
        match comp.connect(Some(&comp.origin())) {
            Ok(c) => break c,
            Err(e) => {
                assert!(
                    started.elapsed() < Duration::from_secs(2),
                    "locked out: {e}"
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    page.hello();
    assert!(matches!(
        page.authenticate(&key),
        Message::Authenticated { .. }
    ));
    let m = page.call(visual("Simulator"));
    let took = started.elapsed();
    assert!(matches!(m, Message::Eligibility { .. }), "{m:?}");
    assert!(
        took < Duration::from_secs(2),
        "connecting and checking took {took:?}"
    );
    println!("connected and checked a card past 50 idle sockets in {took:?}");
    drop(idle);
    drop(silent);
    // Idle sockets were closed to make room, and the log says so without flooding.
    let log = comp.log();
    assert!(log.contains("closed to make room"), "{log}");
    assert!(
        log.matches("closed to make room").count() < 10,
        "refusals were not rate-limited"
    );
}

#[test]
fn an_unpaired_connection_is_closed_when_it_says_nothing() {
    let comp = Companion::start(&[]);
    // A socket that sends nothing is closed after 2 s without an answer (a browser's
    // preconnected socket: it sends its request again on a new one).
    let mut s = TcpStream::connect(("127.0.0.1", comp.port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let started = Instant::now();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert_eq!(out, "", "closed without an answer");
    assert!(
        started.elapsed() >= Duration::from_millis(1_500)
            && started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Half a head is answered 400 and closed, in the same time.
    let mut s = TcpStream::connect(("127.0.0.1", comp.port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    std::io::Write::write_all(&mut s, b"GET / HTTP/1.1\r\nHost: 127.0.0.1").expect("write");
    let started = Instant::now();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 400"), "{out:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // A WebSocket that never says HELLO is closed with 1008 and a reason.
    let mut c = comp.connect(Some(&comp.origin())).expect("ws");
    let frame = loop {
        match c.ws.read() {
            Ok(tungstenite::Message::Close(f)) => break f,
            Ok(_) => continue,
            Err(e) => panic!("expected a close frame: {e}"),
        }
    };
    let frame = frame.expect("close frame");
    assert_eq!(u16::from(frame.code), 1008);
    assert_eq!(frame.reason.as_str(), "no HELLO in time");
}

#[test]
fn a_leaving_pages_waiting_work_is_dropped_and_another_page_is_answered_at_once() {
    let comp = Companion::start(&[]);
    let mut slow = comp.paired_client();
    assert!(matches!(
        slow.call(Command::SimInsertCard {
            persona: "slow".into()
        }),
        Message::Ok
    ));
    // The slow persona's service answer takes 3 s; it runs on the service thread.
    let slow_req = slow.send(Command::CheckByCard {
        reader: "Simulator".into(),
        mode: CheckMode::Pin,
        pin: Some(Pin::new("1234")),
        allow_last_try: false,
        visual_confirmed: false,
    });
    assert!(slow
        .wait_event(Duration::from_secs(5), |m| matches!(
            m,
            Message::Progress {
                step: ukemi_core::protocol::ProgressStep::ContactingService,
                ..
            }
        ))
        .is_some());

    // A page queues service work behind it, and a second piece is refused with BUSY and
    // where the first one is; then the page leaves.
    let mut leaving = comp.paired_client();
    let query = InsuranceQuery {
        insurer_number: "01130012".into(),
        symbol: Some("1234567".into()),
        number: "42".into(),
        branch: Some("00".into()),
        birthdate: ukemi_core::Date::parse("1968-04-12").expect("date"),
    };
    let queued = leaving.send(Command::CheckByInsurance {
        query: query.clone(),
    });
    match leaving.recv().expect("queued").body {
        Message::Progress {
            step: ukemi_core::protocol::ProgressStep::Queued,
            queue_position,
        } => assert_eq!(queue_position, Some(1)),
        other => panic!("expected QUEUED: {other:?} (req {queued})"),
    }
    match leaving.call(Command::ImportResults {
        from: ukemi_core::Date::parse("2026-11-01").expect("date"),
        to: ukemi_core::Date::parse("2026-11-25").expect("date"),
    }) {
        Message::Error {
            code: ErrorCode::Busy,
            detail,
            ..
        } => assert_eq!(detail.queue_position, Some(1)),
        other => panic!("expected BUSY: {other:?}"),
    }
    drop(leaving);

    // Meanwhile another page's card status is answered at once: the reader is free.
    let mut other = comp.paired_client();
    let started = Instant::now();
    let m = other.call(Command::GetCardStatus {
        reader: "Simulator".into(),
    });
    let took = started.elapsed();
    assert!(matches!(m, Message::CardStatus { .. }), "{m:?}");
    assert!(
        took < Duration::from_secs(1),
        "the card status waited {took:?}"
    );
    println!("card status answered in {took:?} while a slow service call ran");

    let m = slow.answer(slow_req);
    assert!(matches!(m, Message::Eligibility { .. }), "{m:?}");
    // The leaving page's check never ran.
    std::thread::sleep(Duration::from_millis(300));
    let log = comp.log();
    assert!(log.contains("left; dropped 1 waiting job(s)"), "{log}");
    assert_eq!(
        log.matches("eligibility: ").count(),
        1,
        "the dropped check ran anyway:\n{log}"
    );
}

#[test]
fn forged_newlines_appear_escaped_in_the_log() {
    let comp = Companion::start(&[]);
    let mut c = comp.connect(Some(&comp.origin())).expect("connect");
    let m = c.call(Command::Hello {
        api_levels: vec![2],
        client: ClientInfo {
            name: "ukemi-web\n2026-01-01T00:00:00Z WARN forged by the page".into(),
            version: "1\r\n".into(),
        },
    });
    assert!(matches!(m, Message::Hello { .. }), "{m:?}");
    c.send_raw("{\"cmd\":\"X\\nWARN forged command\",\"req\":3}");
    assert_eq!(
        error_code(&c.recv().expect("answer").body),
        Some(ErrorCode::UnknownCommand)
    );
    let log = comp.log();
    assert!(
        // Escaped, and cut at 40 characters like every client name.
        log.contains("hello from ukemi-web\\n2026-01-01T00:00:00Z WARN forg 1\\r\\n,"),
        "{log}"
    );
    for line in log.lines() {
        assert!(
            !line.starts_with("2026-01-01T00:00:00Z") && !line.starts_with("WARN forged"),
            "a forged line: {line}"
        );
    }
}

#[test]
fn the_pairing_file_is_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let comp = Companion::start(&[]);
    let _c = comp.paired_client();
    let file = comp.state_dir.join("pairings.json");
    let mode = std::fs::metadata(&file)
        .expect("pairings.json")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600, "{}", file.display());
    let dir = std::fs::metadata(&comp.state_dir)
        .expect("dir")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir, 0o700);
}

#[test]
fn the_companion_listens_on_both_loopback_addresses() {
    let comp = Companion::start(&[]);
    let mut s = TcpStream::connect(("::1", comp.port)).expect("[::1] reaches the companion");
    write!(s, "GET /pair HTTP/1.1\r\nHost: [::1]:{}\r\n\r\n", comp.port).expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    assert!(out.starts_with("HTTP/1.1 200"), "{out:?}");
}
