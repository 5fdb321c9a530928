//! The tasks themselves: the WASM build, the demo, the whole test run.

use crate::cmd::{self, command, run, Result};
use crate::install::{self, Scope, WASM_TARGET};
use crate::rig;
use std::path::PathBuf;
use std::time::Instant;

pub fn dist_dir() -> PathBuf {
    cmd::root().join("target").join("dist")
}

/// Builds the app with Trunk (release, offline: every tool comes from PATH) and prints
/// the size of what a browser downloads.
pub fn dist() -> Result<PathBuf> {
    let dist = dist_dir();
    run(command("trunk")
        .args([
            "build",
            "--release",
            "--offline",
            "--skip-version-check",
            "--dist",
        ])
        .arg(&dist)
        .env("TRUNK_SKIP_VERSION_CHECK", "true"))?;
    print_sizes(&dist, "WASM app bundle (target/dist)");
    widget(&dist)?;
    Ok(dist)
}

/// The embeddable widget: the web crate's cdylib through wasm-bindgen (`--target web`) and
/// wasm-opt, next to its loader and an example host page, in `dist/widget/`.
fn widget(dist: &std::path::Path) -> Result {
    let cargo = cmd::cargo();
    run(command(&cargo).args([
        "build",
        "--release",
        "--target",
        WASM_TARGET,
        "-p",
        "ukemi-web",
        "--lib",
    ]))?;
    let out = dist.join("widget");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let wasm = cmd::root()
        .join("target")
        .join(WASM_TARGET)
        .join("release")
        .join("ukemi_web.wasm");
    run(command("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            "ukemi_widget",
            "--out-dir",
        ])
        .arg(&out)
        .arg(&wasm))?;
    let bg = out.join("ukemi_widget_bg.wasm");
    run(command("wasm-opt")
        .args([
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "-o",
        ])
        .arg(&bg)
        .arg(&bg))?;
    let src = cmd::root().join("www").join("widget");
    for entry in std::fs::read_dir(&src)
        .map_err(|e| format!("{}: {e}", src.display()))?
        .flatten()
    {
        let to = out.join(entry.file_name());
        std::fs::copy(entry.path(), &to).map_err(|e| format!("{}: {e}", to.display()))?;
    }
    // The widget's stylesheet: the shadow-root reset, then the app's own styles.
    let css = ["widget/widget-host.css", "style.css"]
        .iter()
        .map(|f| {
            std::fs::read_to_string(cmd::root().join("www").join(f))
                .map_err(|e| format!("www/{f}: {e}"))
        })
        .collect::<Result<Vec<_>>>()?
        .join("\n");
    std::fs::write(out.join("ukemi-widget.css"), css).map_err(|e| e.to_string())?;
    print_sizes(&out, "Widget bundle (target/dist/widget)");
    Ok(())
}

fn gzip_len(path: &std::path::Path) -> Option<u64> {
    let out = command("gzip").args(["-9", "-c"]).arg(path).output().ok()?;
    out.status.success().then_some(out.stdout.len() as u64)
}

fn print_sizes(dist: &std::path::Path, title: &str) {
    let Ok(entries) = std::fs::read_dir(dist) else {
        return;
    };
    let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    println!("\n{title}:");
    let (mut raw_total, mut gz_total) = (0, 0);
    for f in files.iter().filter(|f| {
        f.extension()
            .is_some_and(|e| e == "wasm" || e == "js" || e == "css" || e == "html")
    }) {
        let raw = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        let gz = gzip_len(f).unwrap_or(0);
        raw_total += raw;
        gz_total += gz;
        println!(
            "  {:<44} {:>10} B raw {:>10} B gzip -9",
            f.file_name().unwrap_or_default().to_string_lossy(),
            raw,
            gz
        );
    }
    println!(
        "  {:<44} {:>10} B raw {:>10} B gzip -9",
        "total", raw_total, gz_total
    );
}

pub fn demo(args: &[String]) -> Result {
    install::all(Scope::Demo)?;
    let dist = dist()?;
    run(command(&cmd::cargo()).args(["build", "--release", "-p", "ukemi-companion"]))?;
    let bin = cmd::root()
        .join("target")
        .join("release")
        .join("ukemi-companion");
    println!("\nStarting the companion in simulator mode. Open the URL below in a browser; stop with Ctrl+C.\n");
    let mut c = command(&bin.to_string_lossy());
    c.arg("--simulator").arg("--serve").arg(&dist).args(args);
    run(&mut c)
}

/// Every check, in the order that fails fastest.
pub fn test() -> Result {
    let started = Instant::now();
    install::all(Scope::Test)?;
    let cargo = cmd::cargo();
    run(command(&cargo).args(["fmt", "--all", "--check"]))?;
    run(command(&cargo).args([
        "clippy",
        "--workspace",
        "--exclude",
        "ukemi-web",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(command(&cargo).args([
        "clippy",
        "-p",
        "ukemi-web",
        "-p",
        "ukemi-core",
        "--target",
        WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ]))?;
    let dist = dist()?;
    run(command(&cargo).args(["build", "-p", "ukemi-companion", "--features", "pcsc"]))?;
    let bin = cmd::root()
        .join("target")
        .join("debug")
        .join("ukemi-companion");
    // The eligibility parser under a bounded-time mutation fuzz (see docs/eligibility-vocabulary.md;
    // the coverage-guided cargo-fuzz target lives in core/fuzz).
    let fuzz_secs = std::env::var("UKEMI_FUZZ_SECS").unwrap_or_else(|_| "30".into());
    run(command(&cargo).args([
        "run",
        "-q",
        "-p",
        "ukemi-core",
        "--example",
        "fuzz_vocab",
        "--",
        &fuzz_secs,
    ]))?;
    other_user()?;
    let pcscd = rig::start()?;
    let tests = cmd::run_tests(
        command(&cargo)
            .args([
                "test",
                "--workspace",
                "--exclude",
                "ukemi-web",
                "--features",
                "ukemi-e2e/pcsc-rig",
            ])
            .env("UKEMI_COMPANION_BIN", &bin)
            .env("UKEMI_DIST", &dist),
    );
    pcscd.stop();
    let (passed, failed) = tests?;
    // Benchmarks print numbers; they are not timed tests.
    println!("\nClaim benchmark (10,000 monthly claims):");
    run(command(&cargo).args([
        "run",
        "-q",
        "--release",
        "-p",
        "ukemi-core",
        "--example",
        "claims_bench",
    ]))?;
    // The local hop: the companion's round trip beside a bare WebSocket echo, and the
    // emulated-card check with Ukemi's own share (tests/examples/latency.rs).
    run(command(&cargo)
        .args(["run", "-q", "-p", "ukemi-e2e", "--example", "latency"])
        .env("UKEMI_COMPANION_BIN", &bin))?;
    let wasm = cmd::root()
        .join("target")
        .join("e2e-artifacts")
        .join("bench-wasm.txt");
    match std::fs::read_to_string(&wasm) {
        Ok(line) => print!("{line}"),
        Err(_) => println!("(no WASM benchmark result at {})", wasm.display()),
    }
    // What the browser tests measured for people to compare (not asserted).
    println!();
    for (file, what) in [
        ("keyboard-walk.txt", "keyboard walk"),
        ("claim-inputs.txt", "claim inputs with a control"),
    ] {
        let path = cmd::root().join("target").join("e2e-artifacts").join(file);
        match std::fs::read_to_string(&path) {
            Ok(line) => print!("{line}"),
            Err(_) => println!("(no {what} result at {})", path.display()),
        }
    }
    println!(
        "\nxtask test: every check passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    // The plain closing line CI reads.
    println!("{passed} passed, {failed} failed");
    Ok(())
}

/// The second OS user the same-user check is tested with (tests/tests/hardening.rs runs a
/// client as it). Needs root, which CI has; the test itself fails loudly without the user.
fn other_user() -> Result {
    const USER: &str = "ukemi-other";
    let exists = command("id")
        .arg("-u")
        .arg(USER)
        .output()
        .is_ok_and(|o| o.status.success());
    if exists {
        return Ok(());
    }
    run(command("useradd").args([
        "--system",
        "--no-create-home",
        "--shell",
        "/usr/sbin/nologin",
        USER,
    ]))
}
