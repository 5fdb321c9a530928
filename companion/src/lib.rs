//! `ukemi-companion` as a library: everything the clinic's binary (`main.rs`) runs, and the
//! pieces the developers' tools (`devtools/`, not shipped) share with it — the wire format,
//! certificate loading, the clock and the log. What only tests and trainers need (the
//! simulated service's HTTPS server, the test-PKI generator, the virtual card) is not here.

// Errors carry the clinic's detail (tries left, service codes): ~128 bytes, returned
// rarely and never in a loop. Boxing them would add noise and save nothing measurable.
#![allow(clippy::result_large_err)]

pub mod admission;
pub mod approval;
pub mod card;
pub mod cli;
pub mod clock;
pub mod config;
pub mod files;
pub mod guard;
pub mod http;
pub mod https;
pub mod hub;
pub mod log;
pub mod options;
pub mod pairing;
pub mod peer;
pub mod pkcs12;
pub mod relay;
pub mod server;
pub mod service;
pub mod session;
pub mod status;
pub mod tls;
pub mod wire;
pub mod worker;
