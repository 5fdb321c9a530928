//! Card readers. The trait and the simulator's reader live in `ukemi_core` (so the browser
//! demo shares them); real readers through PC/SC are here, behind the `pcsc` feature.

#[cfg(feature = "pcsc")]
pub mod pcsc;
