//! `ukemi-companion`: the native helper on the clinic PC. It drives the card reader and
//! relays eligibility requests, and talks to Ukemi pages over a WebSocket on 127.0.0.1.

// Errors carry the clinic's detail (tries left, service codes): ~128 bytes, returned
// rarely and never in a loop. Boxing them would add noise and save nothing measurable.
#![allow(clippy::result_large_err)]

mod card;
mod cli;
mod clock;
mod config;
mod guard;
mod http;
mod https;
mod hub;
mod log;
mod options;
mod pairing;
mod relay;
mod server;
mod service;
mod session;
mod simservice;
mod status;
mod testcerts;
mod tls;
mod vcard;
mod wire;
mod worker;

use std::net::TcpListener;
use std::sync::{mpsc, Arc, Mutex};
use ukemi_core::protocol::DEFAULT_PORTS;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("eligibility") => cli::eligibility::run(&args[1..]),
        Some("claims") => cli::claims::run(&args[1..]),
        Some("virtual-card") => vcard::run(&args[1..]),
        Some("sim-service") => simservice::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{}", options::USAGE);
            0
        }
        Some("-V" | "--version") => {
            println!("ukemi-companion {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Some("serve") => serve(&args[1..]),
        _ => serve(&args),
    };
    std::process::exit(code);
}

fn bind(port: Option<u16>) -> Result<TcpListener, String> {
    let candidates: Vec<u16> = match port {
        Some(p) => vec![p],
        None => DEFAULT_PORTS.to_vec(),
    };
    let mut last = String::new();
    for p in candidates {
        // Loopback only: never 0.0.0.0.
        match TcpListener::bind(("127.0.0.1", p)) {
            Ok(l) => return Ok(l),
            Err(e) => last = format!("127.0.0.1:{p}: {e}"),
        }
    }
    Err(format!(
        "ポートを開けません / cannot listen ({last}). 別のコンパニオンが動いていませんか？"
    ))
}

fn serve(args: &[String]) -> i32 {
    let opts = match options::parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("ukemi-companion: {e}\n\n{}", options::USAGE);
            return 2;
        }
    };
    let reader = opts
        .reader
        .clone()
        .unwrap_or_else(|| if opts.simulator { "sim" } else { "pcsc" }.into());
    let config = match &opts.config {
        Some(path) => match config::load(path, clock::today_jst()) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("ukemi-companion: {e}\n起動を中止しました / not starting.");
                return 2;
            }
        },
        None => None,
    };
    let use_sim_service =
        opts.service.as_deref() == Some("sim") || (opts.simulator && config.is_none());
    if config.is_none() && !use_sim_service {
        eprintln!(
            "ukemi-companion: 資格確認サービスの設定がありません。--config で設定ファイルを指定するか、練習用サービス --service sim を使ってください。\n\
             (no eligibility service configured: give --config FILE, or use --service sim / --simulator)"
        );
        return 2;
    }
    if reader == "pcsc" && !cfg!(feature = "pcsc") {
        eprintln!(
            "ukemi-companion: この版はカードリーダー（PC/SC）なしでビルドされています。--simulator で起動してください。\n\
             (built without PC/SC support: rebuild with --features pcsc, or use --simulator)"
        );
        return 2;
    }
    if let Some(dir) = &opts.serve {
        if !dir.join("index.html").is_file() {
            eprintln!(
                "ukemi-companion: --serve {}: index.html がありません / no index.html there",
                dir.display()
            );
            return 2;
        }
    }
    let listener = match bind(opts.port) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ukemi-companion: {e}");
            return 1;
        }
    };
    let port = match listener.local_addr() {
        Ok(a) => a.port(),
        Err(e) => {
            eprintln!("ukemi-companion: {e}");
            return 1;
        }
    };

    let today = clock::today_jst();
    let simulator = match ukemi_core::sim::Simulator::new(opts.sim_seed, today) {
        Ok(s) => Arc::new(Mutex::new(s)),
        Err(e) => {
            eprintln!("ukemi-companion: simulator: {e}");
            return 1;
        }
    };
    let hub = hub::Hub::default();
    let state_dir = opts.state_dir.clone().or_else(options::default_state_dir);
    let pairing = pairing::Pairing::new(
        pairing::random_code(),
        state_dir.map(|d| d.join("pairings.json")),
    );
    let code = pairing.code().to_string();
    let (jobs_tx, jobs_rx) = mpsc::channel();
    let busy = worker::Busy::default();
    let status =
        match status::StatusSource::new(config.as_ref().map(|c| &c.service), use_sim_service)
            .map_err(|e| format!("{e}\n起動を中止しました / not starting."))
            .and_then(|source| status::spawn(source).map_err(|e| format!("could not start: {e}")))
        {
            Ok(s) => s,
            Err(e) => {
                eprintln!("ukemi-companion: {e}");
                return 2;
            }
        };
    {
        let service: Box<dyn ukemi_core::engine::Service + Send> = match (&config, use_sim_service)
        {
            (Some(cfg), false) => {
                match relay::Relay::new(&cfg.service, &cfg.clinic.registration_number, today) {
                    Ok(r) => Box::new(r),
                    Err(e) => {
                        eprintln!("ukemi-companion: {e}\n起動を中止しました / not starting.");
                        return 2;
                    }
                }
            }
            _ => Box::new(service::SimEligibility::new(Arc::clone(&simulator))),
        };
        let (busy, hub2) = (busy.clone(), hub.clone());
        let worker = std::thread::Builder::new().name("card-worker".into());
        let started = if reader == "sim" {
            let readers = ukemi_core::sim::readers::SimReaders::new(Arc::clone(&simulator));
            worker
                .spawn(move || worker::run(readers, service, jobs_rx, busy, hub2))
                .map(|_| ())
        } else {
            start_pcsc(worker, service, jobs_rx, jobs_tx.clone(), busy, hub2)
        };
        if let Err(e) = started {
            eprintln!("ukemi-companion: could not start the card worker: {e}");
            return 1;
        }
    }
    let shared = Arc::new(session::Shared {
        pairing: Arc::new(Mutex::new(pairing)),
        hub,
        jobs: jobs_tx,
        busy,
        simulator: reader == "sim",
        status,
    });
    let policy = guard::OriginPolicy {
        port,
        allowed: opts
            .allow_origins
            .iter()
            .chain(config.iter().flat_map(|c| &c.allowed_origins))
            .cloned()
            .collect(),
        trusted: opts
            .trust_origins
            .iter()
            .chain(config.iter().flat_map(|c| &c.trusted_origins))
            .cloned()
            .collect(),
    };

    let mode = if reader == "sim" {
        "練習用モード / simulator mode"
    } else {
        "カードリーダー (PC/SC)・練習用サービス / PC/SC readers, simulated service"
    };
    println!("Ukemi companion {} — {mode}", env!("CARGO_PKG_VERSION"));
    println!("listening on http://127.0.0.1:{port}/");
    if opts.serve.is_some() {
        println!("アプリ / app: http://127.0.0.1:{port}/");
    }
    println!("ペアリングコード / pairing code: {code}");
    println!(
        "練習用カードの暗証番号 / simulator card PIN: {}",
        ukemi_core::sim::SIM_PIN
    );
    crate::info!(
        "listening on 127.0.0.1:{port}; reader={reader}; service={}",
        if use_sim_service {
            "simulated"
        } else {
            "relay"
        }
    );

    server::Server {
        listener,
        policy,
        static_root: opts.serve.clone(),
        shared,
    }
    .run();
    0
}

#[cfg(feature = "pcsc")]
fn start_pcsc(
    worker: std::thread::Builder,
    service: Box<dyn ukemi_core::engine::Service + Send>,
    jobs_rx: mpsc::Receiver<worker::Request>,
    jobs_tx: mpsc::Sender<worker::Request>,
    busy: worker::Busy,
    hub: hub::Hub,
) -> std::io::Result<()> {
    card::pcsc::spawn_watcher(hub.clone(), jobs_tx)?;
    let readers = card::pcsc::PcscReaders::new();
    worker
        .spawn(move || worker::run(readers, service, jobs_rx, busy, hub))
        .map(|_| ())
}

#[cfg(not(feature = "pcsc"))]
fn start_pcsc(
    _worker: std::thread::Builder,
    _service: Box<dyn ukemi_core::engine::Service + Send>,
    _jobs_rx: mpsc::Receiver<worker::Request>,
    _jobs_tx: mpsc::Sender<worker::Request>,
    _busy: worker::Busy,
    _hub: hub::Hub,
) -> std::io::Result<()> {
    Err(std::io::Error::other("built without PC/SC support"))
}
