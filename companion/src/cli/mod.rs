//! Vendor-facing subcommands of `ukemi-companion` that work on files, not on a card.

pub mod claims;
pub mod eligibility;
