//! `ukemi-companion claims …`: batch claim computation for vendors and billing agencies.

/// Runs the subcommand with the arguments after `claims`; returns the process exit code.
pub fn run(_args: &[String]) -> i32 {
    eprintln!("ukemi-companion claims: not built yet");
    2
}
