//! The My Number card's JPKI application: APDUs, the client sequences over any
//! [`client::Transport`], the emulated card, and the test PKI.

pub mod apdu;
pub mod client;
pub mod emu;
pub mod pki;

pub use client::{CardError, Jpki, Transport, TransportError};
pub use emu::EmuCard;
