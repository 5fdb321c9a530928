//! What a browser downloads, and where its bytes go: the precompressed copies the
//! companion (or any static server) sends, each build's total against its budget, and
//! twiggy's view of the WebAssembly before wasm-opt. Budgets are printed figures, not
//! tests: README's "Download sizes" says what they are and what they measured.

use crate::cmd::{command, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A build's download budget: gzip bytes of its wasm, JavaScript and CSS together.
pub struct Budget {
    pub name: &'static str,
    pub limit: Option<u64>,
}

pub const CLINIC_APP: Budget = Budget {
    name: "clinic app",
    limit: Some(250_000),
};
pub const WIDGET: Budget = Budget {
    name: "widget",
    limit: Some(150_000),
};
/// The trainer demo carries the simulators: reported, with no budget.
pub const DEMO: Budget = Budget {
    name: "trainer demo",
    limit: None,
};

/// What gets a compressed copy: text and WebAssembly (not images, not what is already
/// compressed).
fn compressible(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e,
            "wasm" | "js" | "mjs" | "css" | "html" | "txt" | "json" | "svg"
        )
    })
}

/// A file's bytes gzip'd at level 9 (what the report counts and `.gz` holds).
pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).map_err(|e| e.to_string())?;
    e.finish().map_err(|e| e.to_string())
}

/// Brotli at its best quality (11) with a 4 MiB window: written once at build time.
fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Writes `F.gz` and `F.br` beside every compressible file under `dir` (stale copies
/// are replaced). A copy is kept only when it is smaller than the file.
pub fn precompress(dir: &Path) -> Result {
    let mut files = Vec::new();
    files_under(dir, &mut files);
    for f in files.iter().filter(|f| compressible(f)) {
        let bytes = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        for (ext, packed) in [("gz", gzip(&bytes)?), ("br", brotli(&bytes)?)] {
            let to = PathBuf::from(format!("{}.{ext}", f.display()));
            if packed.len() < bytes.len() {
                std::fs::write(&to, packed).map_err(|e| format!("{}: {e}", to.display()))?;
            } else {
                let _ = std::fs::remove_file(&to);
            }
        }
    }
    Ok(())
}

/// One build's downloaded files (wasm, JS, CSS directly in `dir`, `skip`ped names left
/// out), each with its raw, gzip and brotli size; then its total against the budget.
/// Returns the summary line.
pub fn report(dir: &Path, title: &str, budget: &Budget, skip: &[&str]) -> Result<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "wasm" || e == "js" || e == "css")
        })
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            !skip.iter().any(|s| name.starts_with(s))
        })
        .collect();
    files.sort();
    println!("\n{title}:");
    println!(
        "  {:<44} {:>10} {:>10} {:>10}",
        "", "raw B", "gzip -9 B", "brotli B"
    );
    let (mut raw_t, mut gz_t, mut br_t) = (0, 0, 0);
    for f in &files {
        let bytes = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let raw = bytes.len() as u64;
        let gz = gzip(&bytes)?.len() as u64;
        let br = std::fs::metadata(format!("{}.br", f.display()))
            .map(|m| m.len())
            .unwrap_or(raw);
        raw_t += raw;
        gz_t += gz;
        br_t += br;
        println!(
            "  {:<44} {:>10} {:>10} {:>10}",
            f.file_name().unwrap_or_default().to_string_lossy(),
            raw,
            gz,
            br
        );
    }
    println!("  {:<44} {:>10} {:>10} {:>10}", "total", raw_t, gz_t, br_t);
    Ok(budget_line(budget, raw_t, gz_t, br_t))
}

/// `clinic app: 231,456 B gzip (budget 250,000 B) — within`.
fn budget_line(b: &Budget, raw: u64, gz: u64, br: u64) -> String {
    let verdict = match b.limit {
        Some(l) if gz <= l => format!("(budget {} B) — within", thousands(l)),
        Some(l) => format!(
            "(budget {} B) — OVER by {} B",
            thousands(l),
            thousands(gz - l)
        ),
        None => "(no budget: reported only)".into(),
    };
    format!(
        "{}: {} B gzip {verdict}; {} B raw, {} B brotli",
        b.name,
        thousands(gz),
        thousands(raw),
        thousands(br)
    )
}

pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Where a release wasm's bytes go before wasm-opt (which drops the names twiggy needs):
/// by crate (and by module for Ukemi's own crates), then the 15 biggest items. Code and
/// data only: the names, wasm-bindgen's custom section and its describe functions never
/// reach a browser.
/// Returns the text to print, or why there is none.
pub fn breakdown(wasm: &Path, title: &str) -> String {
    let out = command("twiggy")
        .args(["top", "-n", "100000", "-f", "csv"])
        .arg(wasm)
        .output();
    let csv = match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        _ => {
            return format!(
            "\n{title}: (no breakdown: twiggy is not installed; `cargo xtask setup` installs it)\n"
        )
        }
    };
    let mut items: Vec<(String, u64)> = Vec::new();
    for line in csv.lines().skip(1) {
        let Some((name, size)) = split_csv(line) else {
            continue;
        };
        // wasm-bindgen's describe functions tell the CLI the exported types and are
        // removed by it; like the names, they never reach a browser.
        if name.contains("function names")
            || name.starts_with("custom section")
            || name.contains("__wbindgen_describe")
            || name.contains("Total Rows")
            || name.starts_with("... and")
        {
            continue;
        }
        items.push((name, size));
    }
    let total: u64 = items.iter().map(|(_, s)| s).sum();
    if total == 0 {
        return format!("\n{title}: (twiggy found nothing in {})\n", wasm.display());
    }
    let mut groups: std::collections::BTreeMap<String, u64> = Default::default();
    for (name, size) in &items {
        *groups.entry(group_of(name)).or_default() += size;
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.1));
    items.sort_by_key(|i| std::cmp::Reverse(i.1));
    let pct = |s: u64| 100.0 * s as f64 / total as f64;
    let mut text = format!(
        "\n{title} — twiggy, release wasm before wasm-opt, {} B of code and data:\n  by crate (serde's generated code counted apart):\n",
        thousands(total)
    );
    for (g, s) in groups.iter().take(15) {
        text.push_str(&format!(
            "    {:>9} B {:>5.1} %  {g}\n",
            thousands(*s),
            pct(*s)
        ));
    }
    text.push_str("  top 15 items:\n");
    for (n, s) in items.iter().take(15) {
        let short: String = n.chars().take(110).collect();
        text.push_str(&format!(
            "    {:>9} B {:>5.1} %  {short}\n",
            thousands(*s),
            pct(*s)
        ));
    }
    text
}

/// twiggy's CSV row: `Name,ShallowSize,ShallowSizePercent,…` with the name quoted when it
/// holds a comma.
fn split_csv(line: &str) -> Option<(String, u64)> {
    let (name, rest) = if let Some(stripped) = line.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = stripped.char_indices().peekable();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().is_some_and(|(_, n)| *n == '"') {
                    name.push('"');
                    chars.next();
                } else {
                    end = Some(i + 1);
                    break;
                }
            } else {
                name.push(c);
            }
        }
        (name, stripped.get(end?..)?.strip_prefix(',')?)
    } else {
        let (n, r) = line.split_once(',')?;
        (n.to_string(), r)
    };
    let size = rest.split(',').next()?.parse().ok()?;
    Some((name, size))
}

/// The crate an item belongs to (`ukemi_core::claims`, `yew`, …); serde's generated
/// (de)serialisers apart, since which types cross the wire as JSON is a choice.
fn group_of(name: &str) -> String {
    if name.starts_with("data segment") {
        return "data (strings, tables)".into();
    }
    if name.starts_with("import ") || name.starts_with("export ") {
        return "imports and exports".into();
    }
    if name.contains("serde") || name.contains("Deserialize") || name.contains("Visitor") {
        if name.contains("Deserializ") || name.contains("Visitor") || name.contains("::de::") {
            return "serde (deserialisers)".into();
        }
        return "serde (serialisers)".into();
    }
    let trimmed = name.trim_start_matches(['<', '&', ' ', '*']);
    let trimmed = trimmed.strip_prefix("impl ").unwrap_or(trimmed);
    let trimmed = trimmed.strip_prefix("dyn ").unwrap_or(trimmed);
    let mut parts = trimmed.split("::");
    let krate = parts.next().unwrap_or("");
    let krate = krate.split('[').next().unwrap_or(krate);
    if !krate.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || krate.is_empty() {
        return "other".into();
    }
    if krate.starts_with("ukemi_") {
        if let Some(module) = parts.next() {
            let module: String = module
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            return format!("{krate}::{module}");
        }
    }
    krate.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_twiggys_csv_rows() {
        assert_eq!(
            split_csv("foo::bar,120,1.5,,"),
            Some(("foo::bar".into(), 120))
        );
        assert_eq!(
            split_csv("\"a, \"\"b\"\"\",7,0.1,,"),
            Some(("a, \"b\"".into(), 7))
        );
        assert_eq!(split_csv("Name,ShallowSize"), None);
    }

    #[test]
    fn groups_items_by_crate() {
        assert_eq!(
            group_of("ukemi_core::claims::judo::month_lines::h1"),
            "ukemi_core::claims"
        );
        assert_eq!(
            group_of("<ukemi_web::view::claims::Claims as yew::functional::FunctionProvider>::run"),
            "ukemi_web::view"
        );
        assert_eq!(
            group_of(
                "ukemi_core::protocol::_::<impl serde_core::de::Deserialize for X>::deserialize"
            ),
            "serde (deserialisers)"
        );
        assert_eq!(group_of("core[c5930c85a12de822]::fmt::write"), "core");
        assert_eq!(
            group_of("data segment \".rodata\""),
            "data (strings, tables)"
        );
    }

    #[test]
    fn budget_lines_say_within_or_over() {
        assert_eq!(
            budget_line(&CLINIC_APP, 900_000, 231_456, 200_000),
            "clinic app: 231,456 B gzip (budget 250,000 B) — within; 900,000 B raw, 200,000 B brotli"
        );
        assert!(budget_line(&WIDGET, 1, 150_001, 1).contains("OVER by 1 B"));
        assert!(budget_line(&DEMO, 1, 9, 1).contains("no budget"));
    }

    #[test]
    fn precompressed_copies_round_trip() {
        let dir = std::env::temp_dir().join(format!("xtask-sizes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let text = "ukemi ".repeat(2000);
        std::fs::write(dir.join("a.js"), &text).expect("write");
        std::fs::write(dir.join("b.png"), &text).expect("write");
        precompress(&dir).expect("precompress");
        let gz = std::fs::read(dir.join("a.js.gz")).expect("gz");
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back)
            .expect("gunzip");
        assert_eq!(back, text);
        let br = std::fs::read(dir.join("a.js.br")).expect("br");
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).expect("unbrotli");
        assert_eq!(back, text.as_bytes());
        assert!(!dir.join("b.png.gz").exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}
