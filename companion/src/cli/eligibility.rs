//! `ukemi-companion eligibility …`: tools on eligibility response files.

/// Runs the subcommand with the arguments after `eligibility`; returns the process exit code.
pub fn run(_args: &[String]) -> i32 {
    eprintln!("ukemi-companion eligibility: not built yet");
    2
}
