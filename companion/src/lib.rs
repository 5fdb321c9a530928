//! `ukemi-companion` as a library: everything the clinic's binary (`main.rs`) runs, and the
//! pieces the developers' tools (`devtools/`, not shipped) share with it — the wire format,
//! certificate loading, the clock and the log. What only tests and trainers need (the
//! simulated service's HTTPS server, the test-PKI generator, the virtual card) is not here.

// Errors carry the clinic's detail (tries left, service codes): ~128 bytes, returned
// rarely and never in a loop. Boxing them would add noise and save nothing measurable.
#![allow(clippy::result_large_err)]

mod admission;
mod approval;
pub mod backup_cli;
mod backup_page;
pub mod backups;
pub mod book;
pub mod card;
pub mod cli;
pub mod clock;
pub mod config;
pub mod configure;
pub mod console;
pub mod dirs;
pub mod doctor;
pub mod durable;
mod files;
pub mod guard;
pub mod http;
pub mod https;
pub mod hub;
pub mod instance;
pub mod log;
pub mod options;
pub mod pairing;
mod peer;
pub mod pkcs12;
pub mod ports;
pub mod relay;
pub mod server;
pub mod service;
pub mod session;
pub mod status;
pub mod tls;
pub mod wire;
pub mod worker;

/// `ukemi-companion 0.1.0 (windows x86_64, PC/SC, 1a2b3c4)`: what support asks first. The
/// commit is set by `cargo xtask package` (`UKEMI_BUILD_COMMIT`).
pub fn version_line() -> String {
    let mut parts = vec![format!(
        "{} {}",
        std::env::consts::OS,
        std::env::consts::ARCH
    )];
    parts.push(
        if cfg!(feature = "pcsc") {
            "PC/SC"
        } else {
            "no PC/SC"
        }
        .into(),
    );
    if let Some(commit) = option_env!("UKEMI_BUILD_COMMIT") {
        parts.push(commit.into());
    }
    format!(
        "ukemi-companion {} ({})",
        env!("CARGO_PKG_VERSION"),
        parts.join(", ")
    )
}
