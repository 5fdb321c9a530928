//! Command-line options of `ukemi-companion` (serving mode).

use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub simulator: bool,
    /// `Some(0)` = any free port (tests); `None` = the default port, then the fallbacks.
    pub port: Option<u16>,
    pub serve: Option<PathBuf>,
    pub allow_origins: Vec<String>,
    pub trust_origins: Vec<String>,
    /// The clinic app hosted elsewhere: may connect (must pair) and use the book.
    pub book_origins: Vec<String>,
    pub state_dir: Option<PathBuf>,
    pub sim_seed: u64,
    /// `sim` or `pcsc`; `--simulator` means `sim`.
    pub reader: Option<String>,
    /// `sim` (the simulated service); the mutual-TLS relay comes later.
    pub service: Option<String>,
    /// The configuration file (service endpoint, certificates, 施術所 identifiers).
    pub config: Option<PathBuf>,
    /// Tests: the day the backups are dated by is read from this file (`YYYY-MM-DD`).
    pub test_clock: Option<PathBuf>,
}

pub const USAGE: &str = "\
ukemi-companion — Ukemi's card reader and eligibility companion

USAGE:
  ukemi-companion [OPTIONS]                 serve the local WebSocket (and the app)
  ukemi-companion eligibility parse FILE    print an eligibility response as normalised JSON
  ukemi-companion claims compute PATH       compute claims from case files (see docs/claims.md)
  ukemi-companion doctor                    check readers, certificate, service and ports
  ukemi-companion config show|set-certificate FILE.p12|allow-origin ORIGIN|remove-origin ORIGIN
  ukemi-companion backup list|verify|restore|now|export|set-folder|clear-folder   the book's backups

OPTIONS:
  --simulator             use the emulated card and the simulated eligibility service
  --reader pcsc|sim       real PC/SC readers (default) or the simulator's reader
  --service sim           the simulated eligibility service instead of the configured one
  --config FILE           configuration: eligibility service URL, CA, clinic certificate and key, 登録記号番号
                          (default: companion.json in the data folder, when it exists)
  --port N                listen on 127.0.0.1:N (0 = any free port); default 47615, then 47616, 47617
  --serve DIR             also serve the built app from DIR on the same port
  --allow-origin ORIGIN   let pages from ORIGIN connect (they must still pair); repeatable; kept
                          for later starts (remove with `config remove-origin`)
  --trust-origin ORIGIN   let pages from ORIGIN connect without pairing (administrators); repeatable
  --book-origin ORIGIN    the clinic app served from ORIGIN instead of this companion: its pages
                          connect, pair, and may read and change the clinic's records; repeatable.
                          Other origins (a vendor's portal) check eligibility only
  --state-dir DIR         the data folder: configuration, pairings, certificate, logs (default:
                          %LOCALAPPDATA%\\Ukemi on Windows, ~/.config/ukemi on Linux)
  --sim-seed N            seed of the simulated population (default 1)
  --test-clock FILE       tests only: date the daily backups by the day written in FILE (YYYY-MM-DD)
  -h, --help              this text
  -V, --version           the version
";

pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        sim_seed: 1,
        ..Default::default()
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--simulator" => o.simulator = true,
            "--reader" => o.reader = Some(value("--reader")?),
            "--service" => o.service = Some(value("--service")?),
            "--config" => o.config = Some(PathBuf::from(value("--config")?)),
            "--port" => {
                let v = value("--port")?;
                o.port = Some(
                    v.parse()
                        .map_err(|_| format!("--port: not a port number: {v}"))?,
                );
            }
            "--serve" => o.serve = Some(PathBuf::from(value("--serve")?)),
            "--allow-origin" => o.allow_origins.push(value("--allow-origin")?),
            "--trust-origin" => o.trust_origins.push(value("--trust-origin")?),
            "--book-origin" => o.book_origins.push(value("--book-origin")?),
            "--state-dir" => o.state_dir = Some(PathBuf::from(value("--state-dir")?)),
            "--test-clock" => o.test_clock = Some(PathBuf::from(value("--test-clock")?)),
            "--sim-seed" => {
                let v = value("--sim-seed")?;
                o.sim_seed = v
                    .parse()
                    .map_err(|_| format!("--sim-seed: not a number: {v}"))?;
            }
            other => return Err(format!("unknown option: {other}")),
        }
    }
    if let Some(r) = &o.reader {
        if r != "sim" && r != "pcsc" {
            return Err(format!("--reader must be pcsc or sim, not {r}"));
        }
    }
    if let Some(s) = &o.service {
        if s != "sim" {
            return Err(format!(
                "--service: only `sim` is available in this build, not {s}"
            ));
        }
    }
    for origin in o
        .allow_origins
        .iter()
        .chain(&o.trust_origins)
        .chain(&o.book_origins)
    {
        if !(origin.starts_with("http://") || origin.starts_with("https://"))
            || origin.contains('*')
        {
            return Err(format!(
                "not an origin (scheme://host[:port], no wildcards): {origin}"
            ));
        }
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_and_refuses_clearly() {
        let o = parse(&args(
            "--simulator --port 0 --allow-origin https://a.example",
        ))
        .expect("ok");
        assert!(o.simulator && o.port == Some(0) && o.allow_origins.len() == 1);
        assert!(parse(&args("--port x")).is_err());
        assert!(parse(&args("--port")).is_err());
        assert!(parse(&args("--allow-origin *")).is_err());
        assert!(parse(&args("--bogus")).is_err());
    }
}
