//! The tasks themselves: the WASM build, the demo, the whole test run.

use crate::cmd::{self, command, run, Result};
use crate::install::{self, Scope, WASM_TARGET};
use crate::package::{self, stage};
use crate::{rig, sizes, wine};
use std::path::PathBuf;
use std::time::Instant;

pub fn dist_dir() -> PathBuf {
    cmd::root().join("target").join("dist")
}

/// Where each build's size report and budget lines are kept for `cargo xtask test`'s end.
pub fn sizes_file() -> PathBuf {
    cmd::root()
        .join("target")
        .join("e2e-artifacts")
        .join("sizes.txt")
}

/// Builds the three things a browser downloads (release, offline: every tool comes from
/// PATH): the clinic app (target/dist), the trainer demo with the simulators
/// (target/dist/demo, cargo feature `sim`) and the widget (target/dist/widget). Writes
/// precompressed copies beside them and prints each build's size against its budget, with
/// twiggy's view of where the bytes go.
pub fn dist() -> Result<PathBuf> {
    let dist = dist_dir();
    trunk(None, &dist, "/")?;
    let app_wasm = release_wasm("ukemi-web.wasm");
    let mut analysis = vec![sizes::breakdown(&app_wasm, "Clinic app")];
    // Relative addresses: a trainer may host the demo in any folder.
    trunk(Some("www/demo/index.html"), &dist.join("demo"), "./")?;
    widget(&dist)?;
    analysis.push(sizes::breakdown(&release_wasm("ukemi_web.wasm"), "Widget"));
    sizes::precompress(&dist)?;
    let lines = [
        sizes::report(&dist, "Clinic app (target/dist)", &sizes::CLINIC_APP, &[])?,
        sizes::report(
            &dist.join("widget"),
            "Widget (target/dist/widget; the example page left out)",
            &sizes::WIDGET,
            &["example"],
        )?,
        sizes::report(
            &dist.join("demo"),
            "Trainer demo (target/dist/demo)",
            &sizes::DEMO,
            &[],
        )?,
    ];
    for a in &analysis {
        print!("{a}");
    }
    let summary = format!(
        "Download sizes (wasm + JS + CSS; budgets in README):\n{}\n",
        lines.map(|l| format!("  {l}")).join("\n")
    );
    println!("\n{summary}");
    let file = sizes_file();
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(&file, format!("{}\n{summary}", analysis.join("")))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(dist)
}

/// The cargo profile of the WebAssembly builds (Cargo.toml: every crate at opt-level "z").
const WASM_PROFILE: &str = "wasm-release";

/// A release wasm as rustc wrote it (names kept), before wasm-bindgen and wasm-opt.
fn release_wasm(name: &str) -> PathBuf {
    cmd::root()
        .join("target")
        .join(WASM_TARGET)
        .join(WASM_PROFILE)
        .join(name)
}

/// `trunk build` of `target` (Trunk.toml's, www/index.html, when `None`) into `dist`.
fn trunk(target: Option<&str>, dist: &std::path::Path, public_url: &str) -> Result {
    let mut c = command("trunk");
    c.args(["build", "--release", "--offline", "--skip-version-check"])
        .args(["--cargo-profile", WASM_PROFILE]);
    if let Some(t) = target {
        c.arg(t);
    }
    c.args(["--public-url", public_url, "--dist"])
        .arg(dist)
        .env("TRUNK_SKIP_VERSION_CHECK", "true");
    run(&mut c)
}

/// The embeddable widget: the web crate's cdylib through wasm-bindgen (`--target web`) and
/// wasm-opt, next to its loader and an example host page, in `dist/widget/`.
fn widget(dist: &std::path::Path) -> Result {
    let cargo = cmd::cargo();
    // Without the app (cargo feature `app`): no screens, no book, no claims.
    run(command(&cargo).args([
        "build",
        "--profile",
        WASM_PROFILE,
        "--target",
        WASM_TARGET,
        "-p",
        "ukemi-web",
        "--lib",
        "--no-default-features",
    ]))?;
    let out = dist.join("widget");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let wasm = release_wasm("ukemi_web.wasm");
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
    Ok(())
}

pub fn demo(args: &[String]) -> Result {
    install::all(Scope::Demo)?;
    let dist = dist()?;
    run(command(&cmd::cargo()).args(["build", "--release", "-p", "ukemi-companion"]))?;
    let bin = cmd::root()
        .join("target")
        .join("release")
        .join("ukemi-companion");
    println!("\nStarting the companion in simulator mode. Open the URL below in a browser; stop with Ctrl+C.");
    println!(
        "(The trainer demo, which needs no companion, is at the same address under /demo/.)\n"
    );
    let mut c = command(&bin.to_string_lossy());
    c.arg("--simulator").arg("--serve").arg(&dist).args(args);
    run(&mut c)
}

/// Every check, in the order that fails fastest. Each stage prints how long it took (CI
/// has 90 minutes for all of it on a cold machine).
pub fn test() -> Result {
    let started = Instant::now();
    stage("install", || install::all(Scope::Test))?;
    let cargo = cmd::cargo();
    stage("rustfmt", || {
        run(command(&cargo).args(["fmt", "--all", "--check"]))
    })?;
    // The web crate too: its reducers are plain Rust with native unit tests.
    stage("clippy (native)", || {
        run(command(&cargo).args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    stage("clippy (wasm32)", || {
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
        // Each build's own set of features: the demo (`sim`) and the widget (no `app`).
        for features in [&["--features", "sim"][..], &["--no-default-features"][..]] {
            run(command(&cargo)
                .args(["clippy", "-p", "ukemi-web", "--target", WASM_TARGET])
                .args(features)
                .args(["--", "-D", "warnings"]))?;
        }
        Ok(())
    })?;
    let dist = stage("WASM builds: clinic app, trainer demo, widget", dist)?;
    // The packages a clinic installs: the Windows companion (cross-compiled, cached in
    // target/), its installer, the .deb. Then the Wine rig that runs them.
    let packages = package::all()?;
    stage("clippy (the companion for Windows)", || {
        run(command(&cargo).args([
            "clippy",
            "-p",
            "ukemi-companion",
            "--target",
            package::WINDOWS_TARGET,
            "--features",
            "pcsc",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    stage("Wine rig", wine::prepare)?;
    // However the run ends, the Wine it started ends with it.
    let wine = wine::Stop;
    stage("companion and devtools (debug, PC/SC)", || {
        run(command(&cargo).args([
            "build",
            "-p",
            "ukemi-companion",
            "-p",
            "ukemi-devtools",
            "--features",
            "ukemi-companion/pcsc",
        ]))
    })?;
    let debug = cmd::root().join("target").join("debug");
    let bin = debug.join("ukemi-companion");
    let devtools = debug.join("ukemi-devtools");
    // The eligibility parser under a bounded-time mutation fuzz (see docs/eligibility-vocabulary.md;
    // the coverage-guided cargo-fuzz target lives in core/fuzz).
    let fuzz_secs = std::env::var("UKEMI_FUZZ_SECS").unwrap_or_else(|_| "30".into());
    stage("eligibility parser fuzz", || {
        run(command(&cargo).args([
            "run",
            "-q",
            "-p",
            "ukemi-core",
            "--features",
            "vocab",
            "--example",
            "fuzz_vocab",
            "--",
            &fuzz_secs,
        ]))
    })?;
    other_user()?;
    const E2E_FEATURES: &str = "ukemi-e2e/pcsc-rig,ukemi-e2e/packages";
    let pcscd = rig::start()?;
    let tests = stage(
        "tests (unit, integration, browser, PC/SC, packages)",
        || {
            cmd::run_tests(
                command(&cargo)
                    // The web crate's unit tests (its reducers, the month's memo) run
                    // natively with the rest; its DOM code only runs in the browser tests.
                    .args(["test", "--workspace", "--features", E2E_FEATURES])
                    .env("UKEMI_COMPANION_BIN", &bin)
                    .env("UKEMI_DEVTOOLS_BIN", &devtools)
                    .env("UKEMI_DIST", &dist)
                    .env("UKEMI_INSTALLER", &packages.installer)
                    .env("UKEMI_DEB", &packages.deb)
                    .env("UKEMI_WINE", wine::LOADER)
                    .envs(wine::env()),
            )
        },
    );
    pcscd.stop();
    let (mut passed, mut failed) = tests?;
    // The web crate as the widget is built (no cargo feature `app`): its reducers without
    // the book, and the companion's answers it reads or leaves out.
    let (p, f) = stage("web unit tests, the widget's build", || {
        cmd::run_tests(command(&cargo).args([
            "test",
            "-p",
            "ukemi-web",
            "--lib",
            "--no-default-features",
        ]))
    })?;
    passed += p;
    failed += f;
    // The Windows companion as shipped, under Wine: the protocol (HELLO, pairing through
    // the approval page, card and insurance-number checks, a foreign origin refused) and
    // every relay test over mutual TLS (not the browser one: Chromium is tested against the
    // Linux companion).
    let windows = |test: &str, filters: &[&str]| {
        cmd::run_tests(
            command(&cargo)
                .args(["test", "-p", "ukemi-e2e", "--features", "pcsc-rig,packages"])
                .args(["--test", test, "--"])
                .args(filters)
                .env("UKEMI_COMPANION_BIN", &packages.windows_exe)
                .env("UKEMI_COMPANION_RUNNER", wine::LOADER)
                .env("UKEMI_DEVTOOLS_BIN", &devtools)
                .envs(wine::env()),
        )
    };
    for (test, filters) in [
        (
            "protocol",
            &[
                "foreign_origin_missing_origin_and_rebinding_host_are_refused_at_the_handshake",
                "commands_need_hello_then_an_approved_pairing_then_a_proved_key",
                "card_check_with_pin_wrong_pin_and_events",
                "check_by_insurance_numbers",
            ][..],
        ),
        ("relay", &["--skip", "a_dead_service_offers"][..]),
    ] {
        let (p, f) = stage(
            &format!("{test} tests against the Windows .exe under Wine"),
            || windows(test, filters),
        )?;
        passed += p;
        failed += f;
    }
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
    // Where the downloads stand against their budgets (printed figures, not tests).
    match std::fs::read_to_string(sizes_file()) {
        Ok(text) => print!("{text}"),
        Err(_) => println!("(no size report at {})", sizes_file().display()),
    }
    // What the browser tests measured for people to compare (not asserted).
    println!();
    for (file, what) in [
        ("first-render.txt", "first render"),
        ("keyboard-walk.txt", "keyboard walk"),
        ("claim-inputs.txt", "claim inputs with a control"),
    ] {
        let path = cmd::root().join("target").join("e2e-artifacts").join(file);
        match std::fs::read_to_string(&path) {
            Ok(line) => print!("{line}"),
            Err(_) => println!("(no {what} result at {})", path.display()),
        }
    }
    // Wine ends before the closing lines, so nothing it prints comes after them.
    drop(wine);
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
