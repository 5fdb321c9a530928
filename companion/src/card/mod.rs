//! Card readers behind one interface: the simulator's virtual reader today, PC/SC readers
//! through the same trait. Only the card worker thread touches a reader, which is what
//! serialises card access between pages.

#[cfg(feature = "pcsc")]
pub mod pcsc;
pub mod sim;

use ukemi_core::jpki::Transport;
use ukemi_core::protocol::{CardInfo, ErrorCode, ReaderInfo};

pub trait Readers {
    /// The readers present now, with what card each holds.
    fn list(&mut self) -> Result<Vec<ReaderInfo>, ErrorCode>;

    /// Runs `f` with exclusive use of the card in `reader` (one PC/SC transaction), then
    /// resets the card so no verified PIN state lingers.
    fn with_card<T>(
        &mut self,
        reader: &str,
        f: impl FnOnce(&mut dyn Transport) -> T,
    ) -> Result<T, ErrorCode>;

    /// A card appeared in `reader`: what is it? (Called by the worker, so identifying the
    /// card is serialised with every other card operation.)
    fn card_arrived(&mut self, _reader: &str) -> Option<CardInfo> {
        None
    }

    /// The card in `reader` went away.
    fn card_left(&mut self, _reader: &str) {}

    /// The simulator's controls, when this is the simulator.
    fn simulator(&mut self) -> Option<&mut sim::SimReaders> {
        None
    }
}
