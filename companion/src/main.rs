//! `ukemi-companion`: the native helper on the clinic PC. It drives the card reader and
//! relays eligibility requests, and talks to Ukemi pages over a WebSocket on 127.0.0.1.

// A background program on Windows: no console window at logon. Run from a command prompt,
// it borrows that console (console.rs).
#![cfg_attr(windows, windows_subsystem = "windows")]

#[cfg(feature = "pcsc")]
use ukemi_companion::card;
use ukemi_companion::{
    backup_cli, backups, book, cli, clock, config, configure, console, dirs, doctor, guard, hub,
    info, instance, options, pairing, relay, server, service, session, status, warn, worker,
};

use std::net::{Ipv6Addr, TcpListener};
use std::sync::{Arc, Mutex};
use ukemi_core::protocol::DEFAULT_PORTS;

fn main() {
    console::attach_parent();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("eligibility") => cli::eligibility::run(&args[1..]),
        Some("claims") => cli::claims::run(&args[1..]),
        Some("doctor") => doctor::run(&args[1..]),
        Some("config") => configure::run(&args[1..]),
        Some("backup") => backup_cli::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{}", options::USAGE);
            0
        }
        Some("-V" | "--version") => {
            println!("{}", ukemi_companion::version_line());
            0
        }
        Some("serve") => serve(&args[1..]),
        _ => serve(&args),
    };
    std::process::exit(code);
}

/// The listeners on 127.0.0.1 and, on the same port, [::1]: a page may dial either, and
/// a port held on one of them by another program is a port that program could answer on.
struct Bound {
    v4: TcpListener,
    v6: Option<TcpListener>,
    /// Default ports passed over because something else holds them.
    held: Vec<u16>,
}

fn bind(port: Option<u16>) -> Result<Bound, String> {
    let candidates: Vec<u16> = match port {
        Some(p) => vec![p],
        None => DEFAULT_PORTS.to_vec(),
    };
    let mut last = String::new();
    let mut held = Vec::new();
    for p in candidates {
        // Loopback only: never 0.0.0.0.
        let v4 = match TcpListener::bind(("127.0.0.1", p)) {
            Ok(l) => l,
            Err(e) => {
                last = format!("127.0.0.1:{p}: {e}");
                held.push(p);
                continue;
            }
        };
        let port = v4.local_addr().map_err(|e| e.to_string())?.port();
        match TcpListener::bind((Ipv6Addr::LOCALHOST, port)) {
            Ok(v6) => {
                return Ok(Bound {
                    v4,
                    v6: Some(v6),
                    held,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && port == p && p != 0 => {
                // Another program holds [::1] on this port: a page dialling it would reach
                // that program. Try the next port.
                last = format!("[::1]:{p}: {e}");
                held.push(p);
            }
            Err(e) => {
                // No IPv6 loopback on this PC: nobody can take it either.
                crate::info!("not listening on [::1]:{port}: {e}");
                return Ok(Bound { v4, v6: None, held });
            }
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
    let Some(dirs) = dirs::user(opts.state_dir.as_deref()) else {
        eprintln!(
            "ukemi-companion: データフォルダが分かりません / no data folder: give --state-dir DIR"
        );
        return 2;
    };
    // One companion per user: a second start says where the first listens and leaves.
    let instance = match instance::claim(&dirs.data) {
        Ok(instance::Claim::Mine(i)) => i,
        Ok(instance::Claim::Taken(running)) => {
            match running {
                Some(r) => println!(
                    "Ukemi コンパニオンはすでに動いています / already running: http://127.0.0.1:{}/ (pid {})",
                    r.port, r.pid
                ),
                None => println!("Ukemi コンパニオンはすでに動いています / already running"),
            }
            return 0;
        }
        Err(e) => {
            eprintln!("ukemi-companion: {}: {e}", dirs.data.display());
            return 1;
        }
    };
    match ukemi_companion::log::to_file(&dirs.logs) {
        Ok(path) => info!(
            "{} started; log file {}",
            ukemi_companion::version_line(),
            path.display()
        ),
        Err(e) => eprintln!(
            "ukemi-companion: no log file in {}: {e}",
            dirs.logs.display()
        ),
    }
    let config_path = opts
        .config
        .clone()
        .or_else(|| Some(dirs.config_file()).filter(|p| p.is_file()));
    if !opts.allow_origins.is_empty() {
        configure::persist_origins(&dirs.data, configure::ORIGINS_FILE, &opts.allow_origins);
    }
    if !opts.book_origins.is_empty() {
        configure::persist_origins(&dirs.data, configure::BOOK_ORIGINS_FILE, &opts.book_origins);
    }
    let reader = opts
        .reader
        .clone()
        .unwrap_or_else(|| if opts.simulator { "sim" } else { "pcsc" }.into());
    let config = match &config_path {
        Some(path) => match config::load(path, clock::today_jst()) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("ukemi-companion: {e}\n起動を中止しました / not starting.");
                warn!("not starting: {e}");
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
    let bound = match bind(opts.port) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("ukemi-companion: {e}");
            return 1;
        }
    };
    for p in &bound.held {
        crate::warn!(
            "port {p} is held by another program; pages try it before this companion's port — find that program (a second companion, or something pretending to be one)"
        );
    }
    let port = match bound.v4.local_addr() {
        Ok(a) => a.port(),
        Err(e) => {
            eprintln!("ukemi-companion: {e}");
            return 1;
        }
    };
    instance.announce(port);

    let today = clock::today_jst();
    let simulator = match ukemi_core::sim::Simulator::new(opts.sim_seed, today) {
        Ok(s) => Arc::new(Mutex::new(s)),
        Err(e) => {
            eprintln!("ukemi-companion: simulator: {e}");
            return 1;
        }
    };
    let hub = hub::Hub::default();
    let brain = match pairing::Brain::load(Some(dirs.data.join("pairings.json"))) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ukemi-companion: {e}");
            return 1;
        }
    };
    let lanes = worker::Lanes::default();
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
        let (lanes2, hub2) = (lanes.clone(), hub.clone());
        let worker = std::thread::Builder::new().name("card-worker".into());
        let started = if reader == "sim" {
            let readers = ukemi_core::sim::readers::SimReaders::new(Arc::clone(&simulator));
            worker
                .spawn(move || worker::run_card(readers, lanes2, hub2))
                .map(|_| ())
        } else {
            start_pcsc(worker, lanes2, hub2)
        };
        let lanes3 = lanes.clone();
        let started = started.and_then(|_| {
            std::thread::Builder::new()
                .name("service-worker".into())
                .spawn(move || worker::run_service(service, lanes3))
                .map(|_| ())
        });
        if let Err(e) = started {
            eprintln!("ukemi-companion: could not start the workers: {e}");
            return 1;
        }
    }
    let approve_url = format!("http://127.0.0.1:{port}/pair");
    // The book's durable copy and its daily backups. A test clock moves the backups' day
    // (and is looked at often); the clinic's companion uses the system clock.
    let (clock, tick) = match &opts.test_clock {
        Some(f) => (
            backups::Clock::File(f.clone()),
            std::time::Duration::from_millis(200),
        ),
        None => (backups::Clock::System, std::time::Duration::from_secs(60)),
    };
    let book = match book::spawn(&dirs.data, clock, hub.clone(), tick) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ukemi-companion: could not start the book thread: {e}");
            return 1;
        }
    };
    let shared = Arc::new(session::Shared {
        brain: Arc::new(Mutex::new(brain)),
        settings: ukemi_core::protocol::session::Settings {
            companion: ukemi_core::protocol::ClientInfo {
                name: "ukemi-companion".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            simulator: reader == "sim",
            demo: false,
            approve_url: approve_url.clone(),
            book: true,
        },
        hub,
        lanes,
        status,
        conns: Arc::new(server::Conns::default()),
        book,
    });
    let policy = guard::OriginPolicy {
        port,
        allowed: opts
            .allow_origins
            .iter()
            .chain(&configure::persisted_origins(
                &dirs.data,
                configure::ORIGINS_FILE,
            ))
            .chain(config.iter().flat_map(|c| &c.allowed_origins))
            .cloned()
            .collect(),
        trusted: opts
            .trust_origins
            .iter()
            .chain(config.iter().flat_map(|c| &c.trusted_origins))
            .cloned()
            .collect(),
        book: opts
            .book_origins
            .iter()
            .chain(&configure::persisted_origins(
                &dirs.data,
                configure::BOOK_ORIGINS_FILE,
            ))
            .chain(config.iter().flat_map(|c| &c.book_origins))
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
    // No code is printed: pairings are approved on this page, which a clinic can open.
    println!("ペアリングの承認 / approve pairings: {approve_url}");
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

    let server = Arc::new(server::Server::new(policy, opts.serve.clone(), shared));
    if let Some(v6) = bound.v6 {
        let s = Arc::clone(&server);
        if let Err(e) = std::thread::Builder::new()
            .name("accept-v6".into())
            .spawn(move || s.run(v6))
        {
            crate::warn!("could not serve [::1]: {e}");
        }
    }
    server.run(bound.v4);
    0
}

#[cfg(feature = "pcsc")]
fn start_pcsc(
    worker: std::thread::Builder,
    lanes: worker::Lanes,
    hub: hub::Hub,
) -> std::io::Result<()> {
    card::pcsc::spawn_watcher(hub.clone(), lanes.clone())?;
    let readers = card::pcsc::PcscReaders::new();
    worker
        .spawn(move || worker::run_card(readers, lanes, hub))
        .map(|_| ())
}

#[cfg(not(feature = "pcsc"))]
fn start_pcsc(
    _worker: std::thread::Builder,
    _lanes: worker::Lanes,
    _hub: hub::Hub,
) -> std::io::Result<()> {
    Err(std::io::Error::other("built without PC/SC support"))
}
