//! The PC/SC test rig: a real pcscd in the foreground, with vsmartcard's vpcd driver giving
//! it two virtual readers. Started after vpcd is installed (pcscd reads its reader
//! configuration only at start), stopped by its PID afterwards. Never with `--apdu`: that
//! would log VERIFY's PIN bytes.

use crate::cmd::{self, Result};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SOCKET: &str = "/run/pcscd/pcscd.comm";
const PID_FILE: &str = "/run/pcscd/pcscd.pid";

pub enum Pcscd {
    /// We started it and stop it.
    Ours(Child),
    /// One was already running (e.g. systemd's); we leave it alone.
    Theirs,
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

pub fn start() -> Result<Pcscd> {
    if let Some(pid) = std::fs::read_to_string(PID_FILE)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
    {
        if alive(pid) && Path::new(SOCKET).exists() {
            println!("pcscd already running (pid {pid}); using it");
            return Ok(Pcscd::Theirs);
        }
    }
    // Stale files from a killed daemon stop a new one from starting.
    let _ = std::fs::remove_file(SOCKET);
    let _ = std::fs::remove_file(PID_FILE);
    let log_dir = cmd::root().join("target").join("e2e-artifacts");
    std::fs::create_dir_all(&log_dir).map_err(|e| e.to_string())?;
    let log = std::fs::File::create(log_dir.join("pcscd.log")).map_err(|e| e.to_string())?;
    let err = log.try_clone().map_err(|e| e.to_string())?;
    println!("\n$ pcscd --foreground --info   (log: target/e2e-artifacts/pcscd.log)");
    let mut child = Command::new("pcscd")
        .args(["--foreground", "--info"])
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(err))
        .spawn()
        .map_err(|e| format!("could not start pcscd: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(15);
    while !Path::new(SOCKET).exists() {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "pcscd exited at start ({status}); see target/e2e-artifacts/pcscd.log"
            ));
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            return Err("pcscd did not become ready in 15 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Pcscd::Ours(child))
}

impl Pcscd {
    pub fn stop(self) {
        if let Pcscd::Ours(mut child) = self {
            // SIGTERM lets pcscd remove its socket and PID file itself.
            let pid = child.id().to_string();
            let _ = Command::new("kill").args(["-TERM", &pid]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    println!("pcscd (pid {pid}) stopped");
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
