//! The Wine rig for the Windows companion: Debian's 64-bit Wine 8 with a prefix of our own
//! in target/wine-prefix, made once (`wineboot`, about 20 s) and reused.
//!
//! Rust's standard library imports `ProcessPrng` from bcryptprimitives.dll, which Wine 8
//! lacks. The rig builds a stand-in with mingw-w64 — `ProcessPrng` calling `RtlGenRandom`
//! (advapi32's SystemFunction036) — into the prefix only. It is never shipped: real
//! Windows 10/11 has the DLL.
//!
//! Wine's winscard is a stub: real readers on Windows are not exercised here (the PC/SC
//! code is shared with Linux, where it runs through a real pcscd; docs/companion.md).

use crate::cmd::{self, command, run, Result};
use std::path::PathBuf;
use std::process::Command;

pub const WINE_PACKAGES: &[(&str, &str)] = &[("wine64", "/usr/lib/wine/wine64")];
pub const LOADER: &str = "/usr/lib/wine/wine64";

const PROCESS_PRNG_C: &str = r#"/* Test rig only (xtask/src/wine.rs): Wine 8 has no ProcessPrng. Never shipped. */
#include <windows.h>
#include <ntsecapi.h>
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
"#;

pub fn prefix() -> PathBuf {
    cmd::root().join("target").join("wine-prefix")
}

/// The environment every Wine command of the rig runs with.
pub fn env() -> Vec<(&'static str, String)> {
    vec![
        ("WINEPREFIX", prefix().to_string_lossy().into_owned()),
        ("WINEARCH", "win64".into()),
        ("WINEDEBUG", "-all".into()),
        // No Mono or Gecko prompts; our ProcessPrng stand-in before any builtin.
        (
            "WINEDLLOVERRIDES",
            "mscoree=;mshtml=;bcryptprimitives=n,b".into(),
        ),
    ]
}

pub fn command_with_env(program: &str) -> Command {
    let mut c = command(program);
    c.envs(env());
    c
}

/// Installs Wine, makes the prefix and the stand-in DLL when missing, and starts a
/// persistent wineserver so each test's start is quick.
pub fn prepare() -> Result {
    crate::install::debian(WINE_PACKAGES)?;
    let prefix = prefix();
    if !prefix.join("system.reg").is_file() {
        run(command_with_env(LOADER).args(["wineboot", "--init"]))?;
        let _ = command_with_env("/usr/lib/wine/wineserver")
            .arg("-w")
            .status();
    }
    let dll = prefix.join("drive_c/windows/system32/bcryptprimitives.dll");
    if !dll.is_file() {
        let dir = cmd::root().join("target").join("wine-rig");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let src = dir.join("process_prng.c");
        std::fs::write(&src, PROCESS_PRNG_C).map_err(|e| e.to_string())?;
        run(command("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-o"])
            .arg(&dll)
            .arg(&src)
            .arg("-ladvapi32"))?;
    }
    // Keeps running for the test run (and ends itself when idle; `-p` without a timeout
    // would outlive it).
    // Its own output (a dump of its objects when it is stopped) is not for the run's log.
    let _ = command_with_env("/usr/lib/wine/wineserver")
        .arg("-p600")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    Ok(())
}

/// Ends the rig's wineserver, and with it Wine's own services, when the test run ends.
/// They inherit the run's open files — a lock a caller holds around `cargo xtask test`
/// included — and an idle persistent wineserver keeps them for ten more minutes.
pub struct Stop;

impl Drop for Stop {
    fn drop(&mut self) {
        // Quietly: what the server says as it ends must not follow the run's closing line.
        let _ = command_with_env("/usr/lib/wine/wineserver")
            .arg("-k")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        // …and waits until it has gone.
        let _ = command_with_env("/usr/lib/wine/wineserver")
            .arg("-w")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}
