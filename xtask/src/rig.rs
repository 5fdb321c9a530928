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

/// PIDs of running processes named `pcscd`, from /proc (any daemon counts, not only the one
/// the PID file names: two daemons would fight over vpcd's port).
fn running_pcscd() -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "pcscd")
        })
        // A private daemon in its own mount namespace (the no-reader test) has another /run.
        .filter(|pid| {
            let ns = |p: &str| std::fs::read_link(format!("/proc/{p}/ns/mnt")).ok();
            ns(&pid.to_string()) == ns("self")
        })
        .collect()
}

pub fn start() -> Result<Pcscd> {
    let running = running_pcscd();
    if let Some(pid) = running.first() {
        if Path::new(SOCKET).exists() {
            println!("pcscd already running (pid {pid}); using it");
            return Ok(Pcscd::Theirs);
        }
        return Err(format!(
            "a pcscd (pid {pid}) is running without its socket {SOCKET}: stop it first"
        ));
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
    // The socket alone does not mean the virtual readers work: vpcd fails quietly when its
    // port is still held (e.g. by a daemon that is shutting down), and every card test would
    // then fail with a misleading "no service".
    std::thread::sleep(Duration::from_millis(300));
    let log = std::fs::read_to_string(log_dir.join("pcscd.log")).unwrap_or_default();
    if log.contains("Address already in use")
        || log.contains("Could not initialize connection to virtual ICC")
    {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let _ = child.wait();
        return Err(
            "vpcd could not open its port (35963/35964 in use, perhaps by another pcscd \
                    that is still stopping); see target/e2e-artifacts/pcscd.log and try again"
                .into(),
        );
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
