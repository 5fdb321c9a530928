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

/// A unit enum's name as serde writes it (`snake_case`, `SCREAMING_SNAKE_CASE`): wire codes,
/// controls' option values, log and CSV codes. Empty for a value that is not a plain name.
pub fn wire_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
