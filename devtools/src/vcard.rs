//! `ukemi-devtools virtual-card`: puts a simulated persona's emulated My Number card into
//! a virtual reader (vsmartcard's vpcd driver behind a real pcscd), so the PC/SC path can be
//! exercised and demonstrated with no physical card. Stopping the command = taking the card out.
//!
//! vpcd's wire protocol: TCP, each message a 2-byte big-endian length and a payload. A
//! 1-byte payload is a control code (0 power off, 1 power on, 2 reset, 4 "send your ATR");
//! anything longer is a C-APDU, answered with the R-APDU.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use ukemi_core::jpki::EmuCard;

pub const VPCD_PORT: u16 = 35963;

pub const USAGE: &str = "\
ukemi-devtools virtual-card --persona ID [--port 35963] [--sim-seed 1] [--remove-after-apdus N]

Connects the simulator persona's emulated card to vsmartcard's vpcd reader on 127.0.0.1:PORT
(the first slot, \"Virtual PCD 00 00\", is 35963; the second is 35964). Runs until stopped;
stopping it takes the card out. --remove-after-apdus N pulls the card out after N APDUs.
";

pub fn run(args: &[String]) -> i32 {
    let mut persona = None;
    let mut port = VPCD_PORT;
    let mut seed = 1u64;
    let mut remove_after: Option<usize> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next();
        let parsed = match (a.as_str(), v) {
            ("--persona", Some(v)) => {
                persona = Some(v.clone());
                true
            }
            ("--port", Some(v)) => v.parse().map(|p| port = p).is_ok(),
            ("--sim-seed", Some(v)) => v.parse().map(|s| seed = s).is_ok(),
            ("--remove-after-apdus", Some(v)) => v.parse().map(|n| remove_after = Some(n)).is_ok(),
            _ => false,
        };
        if !parsed {
            eprintln!("ukemi-devtools virtual-card: bad argument {a}\n\n{USAGE}");
            return 2;
        }
    }
    let Some(persona) = persona else {
        eprintln!("{USAGE}");
        return 2;
    };
    let sim = match ukemi_core::sim::Simulator::new(seed, ukemi_companion::clock::today_jst()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ukemi-devtools virtual-card: {e}");
            return 1;
        }
    };
    let card = match sim.card_for(&persona) {
        Ok(c) => c,
        Err(_) => {
            eprintln!("ukemi-devtools virtual-card: no persona {persona}");
            return 2;
        }
    };
    match serve(card, port, remove_after) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("ukemi-devtools virtual-card: {e}");
            1
        }
    }
}

/// Connects to vpcd (retrying while pcscd starts) and answers until the reader hangs up.
pub fn serve(mut card: EmuCard, port: u16, remove_after: Option<usize>) -> std::io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut stream = loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => break s,
            Err(e) if Instant::now() > deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    println!("card inserted into vpcd port {port}");
    let mut apdus = 0usize;
    loop {
        let mut len = [0u8; 2];
        if stream.read_exact(&mut len).is_err() {
            return Ok(());
        }
        let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
        stream.read_exact(&mut payload)?;
        let reply = match payload.as_slice() {
            [0] | [1] | [2] => {
                card.reset();
                continue;
            }
            [4] => card.atr().to_vec(),
            [_] => continue,
            apdu => {
                if remove_after.is_some_and(|n| apdus >= n) {
                    println!("card pulled out after {apdus} APDUs");
                    return Ok(());
                }
                apdus += 1;
                card.process(apdu)
            }
        };
        let mut out = (reply.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(&reply);
        stream.write_all(&out)?;
    }
}
