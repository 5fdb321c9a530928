//! Ukemi's domain, shared by the browser app and the companion.
//!
//! This crate is pure: it does no I/O, reads no clock and draws no randomness of its own.
//! "Today" and random generators are arguments. It builds for `wasm32-unknown-unknown`
//! and for the host.

// Errors carry the clinic's detail (tries left, service codes): ~128 bytes, returned
// rarely and never in a loop. Boxing them would add noise and save nothing measurable.
#![allow(clippy::result_large_err)]

pub mod claims;
pub mod date;
pub mod eligibility;
pub mod engine;
pub mod jpki;
pub mod postal;
pub mod protocol;
pub mod records;
#[cfg(feature = "sim")]
pub mod sim;
pub mod text;

pub use date::Date;
