//! The local hop's latency, printed by `cargo xtask test` (a benchmark, not a timed test):
//! the round trip of a cheap command through the real companion (simulator mode, answered
//! by the card worker) beside a bare tungstenite echo over loopback in the same run, and the
//! emulated-card check with Ukemi's own share — the total minus what the companion logged
//! for the emulated card and the simulated service.

use std::net::TcpListener;
use std::time::{Duration, Instant};
use tungstenite::Message as Frame;
use ukemi_core::protocol::{CheckMode, Command, Message, Pin};
use ukemi_e2e::Companion;

const CHEAP: usize = 400;
const CHECKS: usize = 40;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn line(what: &str, mut v: Vec<f64>) {
    v.sort_by(|a, b| a.total_cmp(b));
    println!(
        "  {what:<52} p50 {:>8.3} ms   p95 {:>8.3} ms   (n = {})",
        percentile(&v, 0.5),
        percentile(&v, 0.95),
        v.len()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A bare tungstenite echo server on loopback, and its round trips for a frame of `size`.
fn echo(size: usize) -> Vec<f64> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        if let Some(Ok(s)) = listener.incoming().next() {
            let _ = s.set_nodelay(true);
            if let Ok(mut ws) = tungstenite::accept(s) {
                while let Ok(m) = ws.read() {
                    if m.is_text() && ws.send(m).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let (mut ws, _) =
        tungstenite::connect(format!("ws://127.0.0.1:{port}/")).expect("connect to echo");
    let text = "x".repeat(size);
    (0..CHEAP)
        .map(|_| {
            let t = Instant::now();
            ws.send(Frame::text(text.clone())).expect("send");
            ws.read().expect("echo");
            ms(t.elapsed())
        })
        .collect()
}

/// Microseconds the companion logged for `what` ("card" or "service") of each request.
fn logged_us(log: &str, conn_req: &str, what: &str) -> f64 {
    log.lines()
        .filter(|l| l.contains(conn_req) && l.contains(&format!(" {what} took ")))
        .filter_map(|l| {
            l.rsplit_once(" took ")
                .and_then(|(_, r)| r.trim_end_matches(" us").parse::<f64>().ok())
        })
        .sum()
}

fn main() {
    let comp = Companion::start(&[]);
    let mut c = comp.paired_client();
    let m = c.call(Command::SimInsertCard {
        persona: "normal".into(),
    });
    assert!(matches!(m, Message::Ok), "{m:?}");

    let mut cheap = Vec::new();
    let mut frame_len = 0;
    for _ in 0..CHEAP {
        let t = Instant::now();
        let m = c.call(Command::GetReaders);
        cheap.push(ms(t.elapsed()));
        if let Message::Readers { .. } = &m {
            frame_len = ukemi_core::protocol::encode(&m).len();
        }
    }
    let bare = echo(frame_len.max(16));

    let mut total = Vec::new();
    let mut own = Vec::new();
    for _ in 0..CHECKS {
        let t = Instant::now();
        let req = c.send(Command::CheckByCard {
            reader: "Simulator".into(),
            mode: CheckMode::Pin,
            pin: Some(Pin::new("1234")),
            allow_last_try: false,
            visual_confirmed: false,
        });
        let m = c.answer(req);
        let elapsed = ms(t.elapsed());
        assert!(matches!(m, Message::Eligibility { .. }), "{m:?}");
        total.push(elapsed);
        // The companion logs each step's time when it is done; give the log a moment.
        std::thread::sleep(Duration::from_millis(5));
        let log = comp.log();
        let key = format!("req=Some({req}) ");
        let outside = (logged_us(&log, &key, "card") + logged_us(&log, &key, "service")) / 1000.0;
        own.push(elapsed - outside);
    }

    println!("\nLocal latency (simulator companion on loopback, this machine):");
    line("bare tungstenite echo, same frame size", bare);
    line("GET_READERS round trip through the companion", cheap);
    line("CHECK_BY_CARD (emulated card, PIN) total", total);
    line("  of which Ukemi's share (minus card and service)", own);
}
