//! The My Number card's JPKI application: APDUs, the client sequences over any
//! [`client::Transport`], the emulated card, and the test PKI.

pub mod apdu;
pub mod client;
#[cfg(feature = "sim")]
pub mod emu;
pub mod pki;
#[cfg(feature = "sim")]
mod test_ca;

pub use client::{CardError, Jpki, Transport, TransportError};
#[cfg(feature = "sim")]
pub use emu::EmuCard;
