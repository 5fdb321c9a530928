//! Running commands with a visible trace, from the workspace root.

use std::path::{Path, PathBuf};
use std::process::Command;

pub type Result<T = ()> = std::result::Result<T, String>;

pub fn root() -> PathBuf {
    // xtask/ is one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn tools_dir() -> PathBuf {
    root().join("target").join("tools")
}

/// PATH with our tool folders first: cargo-installed tools and the npm binaryen.
pub fn path_env() -> String {
    let mut parts: Vec<PathBuf> = vec![tools_dir().join("node_modules").join(".bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        parts.push(home.join("bin"));
    }
    let current = std::env::var_os("PATH").unwrap_or_default();
    parts.extend(std::env::split_paths(&current));
    std::env::join_paths(parts)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

pub fn command(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", path_env());
    c
}

/// Runs and fails with the command line when it does not succeed.
pub fn run(c: &mut Command) -> Result {
    let line = describe(c);
    println!("\n$ {line}");
    let status = c
        .status()
        .map_err(|e| format!("could not start `{line}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{line}` failed ({status})"))
    }
}

/// Runs quietly and returns stdout, or None when the program is missing or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = command(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub fn describe(c: &Command) -> String {
    std::iter::once(c.get_program().to_string_lossy().into_owned())
        .chain(c.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `cargo test …`, echoing its output, and adds up its `test result:` lines.
pub fn run_tests(c: &mut Command) -> Result<(u64, u64)> {
    use std::io::{BufRead, BufReader};
    let line = describe(c);
    println!("\n$ {line}");
    let mut child = c
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start `{line}`: {e}"))?;
    let (mut passed, mut failed) = (0u64, 0u64);
    if let Some(out) = child.stdout.take() {
        for l in BufReader::new(out)
            .lines()
            .map_while(std::result::Result::ok)
        {
            println!("{l}");
            if let Some(rest) = l.strip_prefix("test result: ") {
                let count = |word: &str| {
                    rest.split(';')
                        .find_map(|part| {
                            part.trim().strip_suffix(word).map(|n| {
                                n.trim()
                                    .trim_start_matches("ok.")
                                    .trim_start_matches("FAILED.")
                                    .trim()
                                    .to_string()
                            })
                        })
                        .and_then(|n| n.parse::<u64>().ok())
                        .unwrap_or(0)
                };
                passed += count(" passed");
                failed += count(" failed");
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok((passed, failed))
    } else {
        Err(format!(
            "`{line}` failed ({status}): {passed} passed, {failed} failed"
        ))
    }
}
