//! `ukemi-devtools sim-service`: the simulated eligibility service as its own HTTPS server
//! with mutual TLS, for trainers and tests. It answers from the same synthetic population as
//! the companion's built-in simulator, verifies card signatures against the test CA, and
//! plays the failure personas: abnormal end, slow answers, garbage.

use crate::server::{self, Request};
use rand_core::SeedableRng;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ukemi_companion::wire;
use ukemi_core::sim::{CardCheck, Scenario, Simulator};

pub const USAGE: &str = "\
ukemi-devtools gen-certs DIR
ukemi-devtools sim-service --certs DIR [--port N] [--sim-seed N]

gen-certs writes test certificates (service CA and server, clinic CA and clients, a rogue CA).
The service listens on 127.0.0.1:PORT (0 = any; it prints the port), requires a client
certificate signed by DIR/clinic-ca.pem, and presents DIR/server.pem.
";

/// How long the `slow` persona makes the relay wait.
const SLOW: Duration = Duration::from_secs(3);

pub fn run(args: &[String]) -> i32 {
    if args.first().map(String::as_str) == Some("gen-certs") {
        let Some(dir) = args.get(1) else {
            eprintln!("{USAGE}");
            return 2;
        };
        return match crate::testcerts::generate(&PathBuf::from(dir)) {
            Ok(files) => {
                println!("wrote {} files to {dir}", files.len());
                0
            }
            Err(e) => {
                eprintln!("ukemi-devtools sim-service: {e}");
                1
            }
        };
    }
    let mut certs = None;
    let mut port = 0u16;
    let mut seed = 1u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let ok = match (a.as_str(), it.next()) {
            ("--certs", Some(v)) => {
                certs = Some(PathBuf::from(v));
                true
            }
            ("--port", Some(v)) => v.parse().map(|p| port = p).is_ok(),
            ("--sim-seed", Some(v)) => v.parse().map(|s| seed = s).is_ok(),
            _ => false,
        };
        if !ok {
            eprintln!("ukemi-devtools sim-service: bad argument {a}\n\n{USAGE}");
            return 2;
        }
    }
    let Some(dir) = certs else {
        eprintln!("{USAGE}");
        return 2;
    };
    let config = match server::server_config(
        &dir.join("clinic-ca.pem"),
        &dir.join("server.pem"),
        &dir.join("server-key.pem"),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ukemi-devtools sim-service: {e}");
            return 1;
        }
    };
    let sim = match Simulator::new(seed, ukemi_companion::clock::today_jst()) {
        Ok(s) => Arc::new(Mutex::new(s)),
        Err(e) => {
            eprintln!("ukemi-devtools sim-service: {e}");
            return 1;
        }
    };
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ukemi-devtools sim-service: 127.0.0.1:{port}: {e}");
            return 1;
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    println!("simulated eligibility service on https://127.0.0.1:{port}");
    for stream in listener.incoming().flatten() {
        let config = Arc::clone(&config);
        let sim = Arc::clone(&sim);
        let _ = std::thread::Builder::new()
            .name("sim-service".into())
            .spawn(move || {
                match server::read_request(&config, stream) {
                    Ok((mut tls, req)) => {
                        let id = req.request_id.clone().unwrap_or_else(|| "-".into());
                        let (status, ctype, body) = answer(&sim, &req);
                        ukemi_companion::info!(
                            "sim-service request={id} {} {} -> {status}",
                            req.method,
                            req.path
                        );
                        server::write_response(&mut tls, status, ctype, &body);
                    }
                    // Refused client certificates end here: the handshake failed.
                    Err(e) => ukemi_companion::info!("sim-service: connection refused: {e}"),
                }
            });
    }
    0
}

fn xml(body: Vec<u8>) -> (&'static str, &'static str, Vec<u8>) {
    ("200 OK", "application/xml; charset=utf-8", body)
}

/// `yyyyMMddHHmmss` for ProcessExecutionTime, in JST.
fn executed_at() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + 9 * 3600;
    let day = ukemi_core::Date::from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!(
        "{}{:02}{:02}{:02}",
        day.compact(),
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The simulated service's own 医療機関コード (a 施術所 would send its 登録記号番号).
const INSTITUTION: &str = "1310000000";

fn bad(why: &str) -> (&'static str, &'static str, Vec<u8>) {
    (
        "400 Bad Request",
        "text/plain; charset=utf-8",
        format!("{why}\n").into_bytes(),
    )
}

fn answer(sim: &Mutex<Simulator>, req: &Request) -> (&'static str, &'static str, Vec<u8>) {
    let Ok(mut sim) = sim.lock() else {
        return ("500 Internal Server Error", "text/plain", vec![]);
    };
    let today = ukemi_companion::clock::today_jst();
    if req.method != "POST" {
        return ("405 Method Not Allowed", "text/plain", vec![]);
    }
    match req.path.as_str() {
        wire::PATH_CHALLENGE => {
            let mut rng = rand_chacha::ChaCha20Rng::from_entropy_or_fixed();
            let c = sim.service.challenge(&mut rng);
            (
                "200 OK",
                "application/json",
                serde_json::to_vec(&wire::ChallengeAnswer {
                    challenge: wire::base64(&c),
                })
                .unwrap_or_default(),
            )
        }
        wire::PATH_CARD => {
            let Ok(r) = serde_json::from_slice::<wire::CardRequest>(&req.body) else {
                return bad("bad card request");
            };
            let Some(cert) = wire::unbase64(&r.certificate) else {
                return bad("certificate is not base64");
            };
            let challenge = r.challenge.as_deref().and_then(wire::unbase64);
            let signature = r.signature.as_deref().and_then(wire::unbase64);
            let signed = challenge.as_deref().zip(signature.as_deref());
            let check = CardCheck {
                certificate: &cert,
                signed_challenge: signed,
                visual_confirmed: r.visual_confirmed,
            };
            let scenario = ukemi_core::jpki::pki::CardCertificate::parse(&cert)
                .ok()
                .and_then(|c| {
                    sim.service
                        .population
                        .by_serial(&c.serial_hex)
                        .map(|p| p.scenario)
                });
            let outcome = sim.service.check_by_card(&check, today);
            drop(sim);
            match scenario {
                Some(Scenario::Slow) => std::thread::sleep(SLOW),
                Some(Scenario::Garbage) => {
                    return (
                        "200 OK",
                        "application/json",
                        b"\x00\xffnot an answer{{".to_vec(),
                    )
                }
                _ => {}
            }
            match outcome.result {
                Ok(result) => xml(wire::encode_result(&result, INSTITUTION, &executed_at())),
                Err(e) => xml(wire::encode_abnormal(
                    &e.detail
                        .service_code
                        .clone()
                        .unwrap_or_else(|| e.code.as_str()),
                    &e.detail
                        .service_message
                        .clone()
                        .unwrap_or_else(|| e.code.message_ja(&e.detail)),
                    INSTITUTION,
                    &executed_at(),
                    today,
                )),
            }
        }
        wire::PATH_INSURANCE => {
            let Ok(r) = serde_json::from_slice::<wire::InsuranceRequest>(&req.body) else {
                return bad("bad insurance request");
            };
            match sim.service.check_by_insurance(&r.query, today).result {
                Ok(result) => xml(wire::encode_result(&result, INSTITUTION, &executed_at())),
                Err(e) => xml(wire::encode_abnormal(
                    &e.code.as_str(),
                    &e.code.message_ja(&e.detail),
                    INSTITUTION,
                    &executed_at(),
                    today,
                )),
            }
        }
        wire::PATH_RESULTS => {
            let Ok(r) = serde_json::from_slice::<wire::ResultsRequest>(&req.body) else {
                return bad("bad results request");
            };
            let results = sim.service.imported(r.from, r.to);
            (
                "200 OK",
                "application/json",
                wire::encode_list(&results, INSTITUTION, &executed_at()),
            )
        }
        _ => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
    }
}

trait FromEntropy {
    fn from_entropy_or_fixed() -> Self;
}

impl FromEntropy for rand_chacha::ChaCha20Rng {
    fn from_entropy_or_fixed() -> Self {
        let mut seed = [7u8; 32];
        let _ = getrandom::getrandom(&mut seed);
        rand_chacha::ChaCha20Rng::from_seed(seed)
    }
}
