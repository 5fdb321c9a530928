//! The eligibility relay over real mutual TLS on loopback: the companion (simulated reader,
//! real relay) against `ukemi-devtools sim-service` with generated test certificates.
//! Every population case gives its typed result or typed error; a wrong client certificate
//! is refused by the server; an untrusted server certificate is refused by the companion;
//! a missing file or an expired certificate stops the companion from starting; with the
//! service down, the page carries the typed numbers over into 手入力で登録.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use ukemi_core::eligibility::{InsuranceQuery, QualificationValidity};
use ukemi_core::protocol::{CheckMode, Command as Cmd, ErrorCode, Message, Pin};
use ukemi_e2e::{devtools_bin, error_code, Client, Companion};

struct Service {
    child: Child,
    port: u16,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Test certificates, made once per test binary by the companion itself.
fn certs() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ukemi-relay-certs-{}", std::process::id()));
        let status = Command::new(devtools_bin())
            .args(["gen-certs"])
            .arg(&dir)
            .status()
            .expect("gen-certs");
        assert!(status.success());
        dir
    })
}

fn start_service() -> Service {
    let mut child = Command::new(devtools_bin())
        .args(["sim-service", "--port", "0", "--certs"])
        .arg(certs())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sim-service");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = lines.next().and_then(Result::ok).unwrap_or_default();
    let port = line
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .expect("port");
    std::thread::spawn(move || for _ in lines {});
    Service { child, port }
}

/// A configuration naming a service that has stopped: its port no longer answers.
fn stopped_service_config(name: &str) -> PathBuf {
    let port = {
        let svc = start_service();
        svc.port
    };
    write_config(
        name,
        port,
        "service-ca.pem",
        "client.pem",
        "client-key.pem",
        2,
    )
}

fn write_config(name: &str, port: u16, ca: &str, cert: &str, key: &str, timeout: u64) -> PathBuf {
    let dir = certs();
    let path = dir.join(format!("{name}.json"));
    let json = serde_json::json!({
        "service": {
            "url": format!("https://127.0.0.1:{port}"),
            "ca": ca, "client_certificate": cert, "client_key": key, "timeout_seconds": timeout
        },
        "clinic": { "registration_number": "1310000000", "name": "テスト接骨院" }
    });
    std::fs::write(&path, serde_json::to_vec_pretty(&json).expect("json")).expect("write");
    path
}

fn companion(config: &Path) -> Companion {
    Companion::start_with_mode(&["--reader", "sim", "--config", &config.to_string_lossy()])
}

/// A companion relaying to the service at `port` with the clinic's valid certificate.
fn relaying_companion(name: &str, port: u16, timeout_secs: u64) -> Companion {
    let cfg = write_config(
        name,
        port,
        "service-ca.pem",
        "client.pem",
        "client-key.pem",
        timeout_secs,
    );
    companion(&cfg)
}

fn check_persona(c: &mut Client, persona: &str, mode: CheckMode) -> Message {
    assert!(matches!(
        c.call(Cmd::SimInsertCard {
            persona: persona.into()
        }),
        Message::Ok
    ));
    c.call(Cmd::CheckByCard {
        reader: "Simulator".into(),
        mode,
        pin: (mode == CheckMode::Pin).then(|| Pin::new("1234")),
        allow_last_try: false,
        visual_confirmed: mode == CheckMode::Visual,
    })
}

fn validity(m: &Message) -> Option<QualificationValidity> {
    match m {
        Message::Eligibility { result } => Some(result.validity),
        _ => None,
    }
}

#[test]
fn every_population_case_over_mutual_tls() {
    let svc = start_service();
    let comp = relaying_companion("good", svc.port, 20);
    let mut c = comp.paired_client();

    let m = check_persona(&mut c, "normal", CheckMode::Pin);
    match &m {
        Message::Eligibility { result } => {
            let q = result.primary().expect("qualification");
            assert_eq!(q.name, "山田　花子");
            assert_eq!(
                q.address.as_deref(),
                Some("東京都世田谷区太子堂四丁目1番1号")
            );
            assert_eq!(q.contribution_percent, Some(30));
        }
        other => panic!("{other:?}"),
    }
    let expect = [
        ("family", QualificationValidity::Valid),
        ("elderly", QualificationValidity::Valid),
        ("kouki", QualificationValidity::Valid),
        ("lost", QualificationValidity::Invalid),
        ("newer", QualificationValidity::InvalidNewerExists),
        ("multiple", QualificationValidity::MultipleMatches),
        ("not_linked", QualificationValidity::NoMatch),
    ];
    for (persona, v) in expect {
        let m = check_persona(&mut c, persona, CheckMode::Visual);
        assert_eq!(validity(&m), Some(v), "{persona}: {m:?}");
    }
    let m = check_persona(&mut c, "no_address", CheckMode::Visual);
    assert!(
        matches!(&m, Message::Eligibility { result } if result.primary().is_some_and(|q| q.address.is_none())),
        "{m:?}"
    );
    let m = check_persona(&mut c, "elderly", CheckMode::Pin);
    assert!(
        matches!(&m, Message::Eligibility { result } if result.primary().and_then(|q| q.elderly.as_ref()).is_some()),
        "{m:?}"
    );
    for (persona, code) in [
        ("cert_expired", ErrorCode::CardCertificateExpired),
        ("cert_revoked", ErrorCode::CardCertificateRevoked),
        ("garbage", ErrorCode::ServiceError),
    ] {
        assert_eq!(
            error_code(&check_persona(&mut c, persona, CheckMode::Pin)),
            Some(code),
            "{persona}"
        );
    }
    match check_persona(&mut c, "service_error", CheckMode::Pin) {
        Message::Error {
            code: ErrorCode::ServiceError,
            detail,
            message,
        } => {
            assert_eq!(detail.service_code.as_deref(), Some("EQ0001"));
            assert!(
                message.contains("EQ0001"),
                "the service's code is shown verbatim: {message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let m = check_persona(&mut c, "slow", CheckMode::Pin);
    assert_eq!(
        validity(&m),
        Some(QualificationValidity::Valid),
        "slow but fine within the timeout: {m:?}"
    );

    let m = c.call(Cmd::CheckByInsurance {
        query: InsuranceQuery {
            insurer_number: "01130012".into(),
            symbol: Some("1234567".into()),
            number: "42".into(),
            branch: Some("00".into()),
            birthdate: ukemi_core::Date::parse("1968-04-12").expect("date"),
        },
    });
    assert!(
        matches!(&m, Message::Eligibility { result } if result.primary().is_some_and(|q| q.name == "山田　花子")),
        "{m:?}"
    );

    let from = ukemi_core::Date::parse("2026-11-01").expect("date");
    match c.call(Cmd::ImportResults {
        from,
        to: from.add_days(6),
    }) {
        Message::Imported { results } => {
            assert!(!results.is_empty());
            assert!(results
                .iter()
                .all(|r| r.checked_on >= from && r.checked_on <= from.add_days(6)));
            assert!(results.iter().any(|r| r
                .primary()
                .is_some_and(|q| q.address.is_some() && q.postal_code.is_some())));
        }
        other => panic!("{other:?}"),
    }
    // Support gets request ids and outcomes; nobody's name or address.
    let log = comp.log();
    assert!(log.contains("relay request=ukm-"), "{log}");
    assert!(
        !log.contains("山田") && !log.contains("世田谷"),
        "personal data in the log:\n{log}"
    );
}

#[test]
fn slow_service_times_out_and_a_card_check_is_not_repeated() {
    let svc = start_service();
    let comp = relaying_companion("short-timeout", svc.port, 1);
    let mut c = comp.paired_client();
    assert_eq!(
        error_code(&check_persona(&mut c, "slow", CheckMode::Pin)),
        Some(ErrorCode::ServiceUnavailable)
    );
    let card_calls = comp.log().matches("/v1/check/card failed").count();
    assert_eq!(
        card_calls,
        1,
        "a signed card check must not be retried:\n{}",
        comp.log()
    );
}

#[test]
fn a_dead_service_is_a_clear_error_after_bounded_retries() {
    let cfg = stopped_service_config("dead");
    let comp = companion(&cfg);
    let mut c = comp.paired_client();
    let m = c.call(Cmd::CheckByInsurance {
        query: InsuranceQuery {
            insurer_number: "01130012".into(),
            symbol: None,
            number: "42".into(),
            branch: None,
            birthdate: ukemi_core::Date::parse("1968-04-12").expect("date"),
        },
    });
    assert_eq!(error_code(&m), Some(ErrorCode::ServiceUnavailable), "{m:?}");
    assert_eq!(
        comp.log().matches("attempt 3/3").count(),
        1,
        "{}",
        comp.log()
    );
}

/// A check through a companion configured with `ca`/`cert`/`key` fails as a TLS problem.
fn assert_tls_refusal(name: &str, ca: &str, cert: &str, key: &str) {
    let svc = start_service();
    let cfg = write_config(name, svc.port, ca, cert, key, 5);
    let comp = companion(&cfg);
    let mut c = comp.paired_client();
    match check_persona(&mut c, "normal", CheckMode::Visual) {
        Message::Error {
            code: ErrorCode::ServiceUnavailable,
            detail,
            ..
        } => {
            assert_eq!(detail.service_code.as_deref(), Some("TLS"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_server_refuses_a_client_certificate_from_another_ca() {
    assert_tls_refusal(
        "rogue-client",
        "service-ca.pem",
        "rogue-client.pem",
        "rogue-client-key.pem",
    );
}

#[test]
fn the_companion_refuses_an_untrusted_server_certificate() {
    // Trusting only the rogue CA: the genuine service's certificate must not be accepted.
    assert_tls_refusal("rogue-ca", "rogue-ca.pem", "client.pem", "client-key.pem");
}

fn refuses_to_start(config: &Path, needle: &str) {
    let out = ukemi_e2e::companion_command()
        .args(["--reader", "sim", "--port", "0", "--config"])
        .arg(config)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in:\n{stderr}");
}

#[test]
fn expired_certificate_or_missing_file_stops_the_start() {
    let expired = write_config(
        "expired",
        1,
        "service-ca.pem",
        "client-expired.pem",
        "client-expired-key.pem",
        5,
    );
    refuses_to_start(&expired, "有効期限が切れています");
    let missing = write_config(
        "missing",
        1,
        "service-ca.pem",
        "no-such-client.pem",
        "client-key.pem",
        5,
    );
    refuses_to_start(&missing, "ファイルがありません");
    let garbled = certs().join("garbled.json");
    std::fs::write(&garbled, b"{\"service\": ").expect("write");
    refuses_to_start(&garbled, "設定ファイルの形式が違います");
}

#[test]
fn a_pkcs12_client_certificate_works_and_a_wrong_password_stops_the_start() {
    let svc = start_service();
    let dir = certs();
    let p12 = dir.join("client.p12");
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", "pass:ukemi-test", "-in"])
        .arg(dir.join("client.pem"))
        .arg("-inkey")
        .arg(dir.join("client-key.pem"))
        .arg("-out")
        .arg(&p12)
        .status()
        .expect("openssl");
    assert!(status.success());
    let path = dir.join("pkcs12.json");
    let json = serde_json::json!({
        "service": {
            "url": format!("https://127.0.0.1:{}", svc.port), "ca": "service-ca.pem",
            "client_pkcs12": "client.p12", "client_pkcs12_password_env": "UKEMI_TEST_P12_PASSWORD"
        },
        "clinic": { "registration_number": "1310000000" }
    });
    std::fs::write(&path, serde_json::to_vec(&json).expect("json")).expect("write");
    let comp = Companion::start_with_mode_env(
        &["--reader", "sim", "--config", &path.to_string_lossy()],
        &[("UKEMI_TEST_P12_PASSWORD", "ukemi-test")],
    );
    let mut c = comp.paired_client();
    assert_eq!(
        validity(&check_persona(&mut c, "normal", CheckMode::Visual)),
        Some(QualificationValidity::Valid)
    );
    let out = ukemi_e2e::companion_command()
        .args(["--reader", "sim", "--port", "0", "--config"])
        .arg(&path)
        .env("UKEMI_TEST_P12_PASSWORD", "wrong")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("PKCS#12"), "{stderr}");
}

/// The client certificate's last valid day, as OpenSSL reads it.
fn not_after(pem: &Path) -> ukemi_core::Date {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-enddate", "-dateopt", "iso_8601", "-in"])
        .arg(pem)
        .output()
        .expect("openssl");
    let text = String::from_utf8_lossy(&out.stdout);
    let date = text
        .trim()
        .strip_prefix("notAfter=")
        .and_then(|s| s.get(..10))
        .unwrap_or_default();
    ukemi_core::Date::parse(date).expect("notAfter date")
}

fn today_jst() -> ukemi_core::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    ukemi_core::Date::from_days(((secs + 9 * 3600) / 86_400) as i64)
}

fn status(c: &mut Client) -> ukemi_core::protocol::CompanionStatus {
    match c.call(Cmd::GetStatus) {
        Message::Status(s) => *s,
        other => panic!("{other:?}"),
    }
}

#[test]
fn status_says_the_service_is_reachable_with_the_clinic_certificate_facts() {
    use ukemi_core::protocol::{Reachable, ServiceKind};
    let svc = start_service();
    let comp = relaying_companion("status", svc.port, 20);
    let mut c = comp.paired_client();
    let s = status(&mut c);
    assert_eq!(s.service, ServiceKind::Relay);
    assert_eq!(s.service_reachable, Reachable::Yes, "{s:?}");
    assert_eq!(s.service_error, None);
    assert_eq!(
        s.service_url.as_deref(),
        Some(format!("127.0.0.1:{}", svc.port).as_str())
    );
    let cert = s.certificate.expect("certificate");
    let end = not_after(&certs().join("client.pem"));
    assert_eq!(cert.not_after, end);
    let expected = today_jst().days_until(end);
    assert!(
        (cert.days_left - expected).abs() <= 1,
        "{} vs {expected}",
        cert.days_left
    );
    assert_eq!(cert.subject_cn, "TEST 施術所 1310000000");
    // The check is a handshake only: the service saw no request.
    let log = comp.log();
    assert!(log.contains("status: service reachable"), "{log}");
    assert!(!log.contains("BEGIN"), "{log}");
}

#[test]
fn status_says_why_the_service_is_not_reachable() {
    use ukemi_core::protocol::Reachable;
    // Nothing listening: the port of a service that has stopped.
    let cfg = stopped_service_config("status-dead");
    let comp = companion(&cfg);
    let mut c = comp.paired_client();
    let s = status(&mut c);
    assert_eq!(s.service_reachable, Reachable::No, "{s:?}");
    assert_eq!(s.service_error, Some(ErrorCode::ServiceUnavailable));
    assert_eq!(
        s.service_error_detail.service_code.as_deref(),
        Some("CONNECT")
    );
    assert!(
        s.certificate.is_some(),
        "the certificate is known without the service"
    );

    // The service refuses our certificate (another CA): seen although our side of the
    // TLS 1.3 handshake completes before the service judges it.
    let svc = start_service();
    for (name, ca, cert, key) in [
        (
            "status-rogue-client",
            "service-ca.pem",
            "rogue-client.pem",
            "rogue-client-key.pem",
        ),
        (
            "status-rogue-ca",
            "rogue-ca.pem",
            "client.pem",
            "client-key.pem",
        ),
    ] {
        let cfg = write_config(name, svc.port, ca, cert, key, 5);
        let comp = companion(&cfg);
        let mut c = comp.paired_client();
        let s = status(&mut c);
        assert_eq!(s.service_reachable, Reachable::No, "{name}: {s:?}");
        assert_eq!(
            s.service_error_detail.service_code.as_deref(),
            Some("TLS"),
            "{name}: {s:?}"
        );
    }
}

/// The page, when the service is down: the numbers reception typed for the check carry over
/// into 手入力で登録, so the clinic can go on without typing them twice.
#[test]
fn a_dead_service_offers_registration_by_hand_with_the_typed_numbers() {
    use std::time::Duration;
    use ukemi_e2e::webdriver::Browser;
    const WAIT: Duration = Duration::from_secs(30);
    let cfg = stopped_service_config("dead-page");
    let dist = ukemi_e2e::dist(false);
    let comp = Companion::start_with_mode(&[
        "--reader",
        "sim",
        "--config",
        &cfg.to_string_lossy(),
        "--serve",
        &dist.to_string_lossy(),
    ]);
    let b = Browser::start();
    b.goto(&format!("{}/", comp.origin()));
    b.wait_for("#pairing-code", WAIT);
    comp.approve_next(&comp.origin());
    b.wait_for("#ins-insurer", WAIT);
    b.type_into("#ins-insurer", "01130012");
    b.type_into("#ins-number", "42");
    b.set_date("#ins-birthdate", "1968-04-12");
    b.click("#ins-check-button");
    let error = b.wait_text("#ins-error", "つながりません", WAIT);
    assert!(!error.is_empty());
    b.click("#ins-to-manual");
    b.wait_for("#nav-patients[aria-current=page]", WAIT);
    b.wait_for("#new-patient[open]", WAIT);
    let value = |css: &str| {
        b.exec(
            "return document.querySelector(arguments[0]).value;",
            serde_json::json!([css]),
        )
    };
    assert_eq!(value("#new-insurer"), "01130012");
    assert_eq!(value("#new-number"), "42");
    // Shown as the 資格確認書 prints it.
    assert_eq!(value("#new-birth"), "昭和43年4月12日");
    // The cursor waits in the first field still empty.
    let deadline = std::time::Instant::now() + WAIT;
    while b.active_id() != "new-name" {
        assert!(
            std::time::Instant::now() < deadline,
            "focus is on {}",
            b.active_id()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A CONNECT proxy on loopback that records what it was asked for and tunnels every
/// request to 127.0.0.1 (the name it is given need not resolve: the proxy resolves it).
fn start_proxy() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&seen);
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let log = std::sync::Arc::clone(&log);
            std::thread::spawn(move || {
                let mut client = client;
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let line = String::from_utf8_lossy(&head)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let port = line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|t| t.rsplit(':').next())
                    .and_then(|p| p.parse::<u16>().ok());
                if let Ok(mut l) = log.lock() {
                    l.push(line);
                }
                let Some(upstream) =
                    port.and_then(|p| std::net::TcpStream::connect(("127.0.0.1", p)).ok())
                else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                    return;
                };
                let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                let (mut c2, mut u2) = match (client.try_clone(), upstream.try_clone()) {
                    (Ok(c), Ok(u)) => (c, u),
                    _ => return,
                };
                let mut upstream = upstream;
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut u2, &mut c2);
                    let _ = c2.shutdown(std::net::Shutdown::Write);
                });
                let _ = std::io::copy(&mut client, &mut upstream);
                let _ = upstream.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    (port, seen)
}

/// Clinic networks often let nothing out but a proxy: the relay goes through the one the
/// standard environment variable names, by name (the proxy resolves it).
#[test]
fn the_relay_goes_through_the_proxy_the_environment_names() {
    let svc = start_service();
    let (proxy, seen) = start_proxy();
    let path = certs().join("proxied.json");
    let json = serde_json::json!({
        "service": {
            "url": format!("https://service.ukemi.test:{}", svc.port),
            "ca": "service-ca.pem", "client_certificate": "client.pem",
            "client_key": "client-key.pem", "timeout_seconds": 20
        },
        "clinic": { "registration_number": "1310000000" }
    });
    std::fs::write(&path, serde_json::to_vec(&json).expect("json")).expect("write");
    let proxy_url = format!("http://127.0.0.1:{proxy}");
    let comp = Companion::start_with_mode_env(
        &["--reader", "sim", "--config", &path.to_string_lossy()],
        &[("HTTPS_PROXY", proxy_url.as_str()), ("NO_PROXY", "")],
    );
    let mut c = comp.paired_client();
    let m = c.call(Cmd::CheckByInsurance {
        query: InsuranceQuery {
            insurer_number: "01130012".into(),
            symbol: Some("1234567".into()),
            number: "42".into(),
            branch: Some("00".into()),
            birthdate: ukemi_core::Date::parse("1968-04-12").expect("date"),
        },
    });
    assert!(
        matches!(&m, Message::Eligibility { result } if result.primary().is_some_and(|q| q.name == "山田　花子")),
        "{m:?}\n{}",
        comp.log()
    );
    let asked = seen.lock().map(|v| v.clone()).unwrap_or_default();
    assert!(
        asked
            .iter()
            .any(|l| l.starts_with(&format!("CONNECT service.ukemi.test:{} ", svc.port))),
        "the proxy saw {asked:?}"
    );
    assert!(
        comp.log()
            .contains(&format!("relay goes through the proxy 127.0.0.1:{proxy}")),
        "{}",
        comp.log()
    );
}
