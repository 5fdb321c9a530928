//! Installs what the build and the tests need, only when missing, so a second run is
//! quick. Versions are pinned: Trunk 0.21.14 (0.22 needs a newer rustc), wasm-bindgen-cli
//! exactly as Cargo.lock's wasm-bindgen, binaryen 132 from npm (Debian's is too old).

use crate::cmd::{self, command, output, run, Result};
use std::path::Path;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const BINARYEN_VERSION: &str = "132";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// twiggy, the size profiler `cargo xtask dist|test` runs on the release wasm.
pub const TWIGGY_VERSION: &str = "0.8.0";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// What `demo` needs: no root, no Debian packages.
    Demo,
    /// Everything, Debian packages included.
    Test,
}

/// Debian packages for the tests: the browser and its driver, `gzip` for size reports,
/// `poppler-utils` to look at printed PDFs, and a Japanese font.
pub const DEBIAN_PACKAGES: &[(&str, &str)] = &[
    ("chromium", "/usr/bin/chromium"),
    ("chromium-driver", "/usr/bin/chromedriver"),
    ("poppler-utils", "/usr/bin/pdftotext"),
    ("gzip", "/usr/bin/gzip"),
    // Makes a PKCS#12 file from the test certificates in the relay tests.
    ("openssl", "/usr/bin/openssl"),
    // Without a Japanese font, screenshots and printed forms show empty boxes.
    (
        "fonts-noto-cjk",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    ),
];

/// The PC/SC rig: the daemon, the headers the `pcsc` crate builds against, vsmartcard's
/// virtual reader driver, and OpenSC for the independent cross-check.
pub const RIG_PACKAGES: &[(&str, &str)] = &[
    ("pcscd", "/usr/sbin/pcscd"),
    ("libpcsclite-dev", "/usr/include/PCSC/winscard.h"),
    ("pkg-config", "/usr/bin/pkg-config"),
    (
        "vsmartcard-vpcd",
        "/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
    ),
    ("opensc", "/usr/bin/pkcs11-tool"),
];

pub fn all(scope: Scope) -> Result {
    wasm_target()?;
    trunk()?;
    wasm_bindgen()?;
    binaryen()?;
    if scope == Scope::Test {
        twiggy()?;
        axe_core()?;
        let all: Vec<(&str, &str)> = DEBIAN_PACKAGES
            .iter()
            .chain(RIG_PACKAGES)
            .copied()
            .collect();
        debian(&all)?;
    }
    Ok(())
}

fn wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    run(command("rustup").args(["target", "add", WASM_TARGET]))
}

fn trunk() -> Result {
    let have = output("trunk", &["--version"]).unwrap_or_default();
    if have.trim() == format!("trunk {TRUNK_VERSION}") {
        return Ok(());
    }
    println!("Trunk {TRUNK_VERSION} is missing (found {:?}); installing — this takes several minutes once.", have.trim());
    run(command(&cmd::cargo()).args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))
}

/// The wasm-bindgen version Cargo.lock pins: the CLI must match it exactly.
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(cmd::root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|v| v.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn wasm_bindgen() -> Result {
    let want = locked_wasm_bindgen()?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.trim() == format!("wasm-bindgen {want}") {
        return Ok(());
    }
    println!(
        "wasm-bindgen-cli {want} is missing (found {:?}); installing.",
        have.trim()
    );
    // Not --locked: its lock file asks for a dependency version the registry here lacks.
    run(command(&cmd::cargo()).args(["install", "wasm-bindgen-cli", "--version", &want, "--force"]))
}

/// twiggy (`cargo install --locked`, once: about four minutes). `cargo xtask demo` does
/// without it; its size report then says so.
pub fn twiggy() -> Result {
    let have = output("twiggy", &["--version"]).unwrap_or_default();
    if have.split_whitespace().last() == Some(TWIGGY_VERSION) {
        return Ok(());
    }
    println!(
        "twiggy {TWIGGY_VERSION} is missing (found {:?}); installing.",
        have.trim()
    );
    run(command(&cmd::cargo()).args(["install", "twiggy", "--version", TWIGGY_VERSION, "--locked"]))
}

fn binaryen() -> Result {
    let have = output("wasm-opt", &["--version"]).unwrap_or_default();
    if have.contains(&format!("version {BINARYEN_VERSION}")) {
        return Ok(());
    }
    let dir = cmd::tools_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let dir_s = dir.to_string_lossy().into_owned();
    run(command("npm").args([
        "install",
        "--prefix",
        &dir_s,
        "--no-audit",
        "--no-fund",
        &format!("binaryen@{BINARYEN_VERSION}"),
    ]))
}

/// axe-core, the accessibility rules the browser tests run on every screen.
pub const AXE_VERSION: &str = "4";

fn axe_core() -> Result {
    let dir = cmd::tools_dir();
    if dir.join("node_modules/axe-core/axe.min.js").is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let dir_s = dir.to_string_lossy().into_owned();
    run(command("npm").args([
        "install",
        "--prefix",
        &dir_s,
        "--no-audit",
        "--no-fund",
        &format!("axe-core@{AXE_VERSION}"),
    ]))
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|u| u.trim() == "0")
}

/// Installs Debian packages whose marker file is missing.
pub fn debian(packages: &[(&str, &str)]) -> Result {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, marker)| !Path::new(marker).exists())
        .map(|(p, _)| *p)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("Debian packages missing: {}", missing.join(" "));
    let sudo = if is_root() {
        None
    } else if output("sudo", &["-n", "true"]).is_some() {
        Some("sudo")
    } else {
        return Err(format!(
            "these Debian packages are needed and I am not root: sudo apt-get install -y {}",
            missing.join(" ")
        ));
    };
    let apt = |args: &[&str]| {
        let mut c = match sudo {
            Some(s) => {
                let mut c = command(s);
                c.arg("apt-get");
                c
            }
            None => command("apt-get"),
        };
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    run(&mut install)
}
