//! `ukemi-companion claims …`: batch claim computation for vendors and billing agencies.
//!
//! Exit codes: 0 every claim computed without an error finding; 1 some claim has an error
//! finding, or some file could not be read or computed (the rest of the batch still is);
//! 2 usage errors.

use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use ukemi_core::claims::forms::{claim_form, summaries, FormModel, SummaryForm};
use ukemi_core::claims::{compute, ClaimInput, MonthlyClaim, Severity};

const USAGE: &str = "\
usage: ukemi-companion claims compute FILE|DIR [--csv OUT] [--json OUT]

  compute  computes the monthly claims (療養費支給申請書) of one case file, or of every
           *.json file in DIR, with findings and the forms as data (docs/claims.md)
  --json   writes the JSON there instead of standard output
  --csv    also writes one CSV row per claim (and per unreadable file)

exit: 0 no error findings, 1 an error finding or a bad file, 2 usage";

/// Runs the subcommand with the arguments after `claims`; returns the process exit code.
pub fn run(args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run_with(args, &mut stdout.lock(), &mut stderr.lock())
}

#[derive(Debug, PartialEq)]
struct Options {
    input: PathBuf,
    csv: Option<PathBuf>,
    json: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        Some("compute") => {}
        Some(other) => return Err(format!("unknown command: {other}")),
        None => return Err("missing command".into()),
    }
    let mut input = None;
    let mut csv = None;
    let mut json = None;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--csv" | "--json" => {
                let Some(v) = it.next() else {
                    return Err(format!("{a} needs a file name"));
                };
                let slot = if a == "--csv" { &mut csv } else { &mut json };
                if slot.replace(PathBuf::from(v)).is_some() {
                    return Err(format!("{a} given twice"));
                }
            }
            s if s.starts_with("--") => return Err(format!("unknown option: {s}")),
            s => {
                if input.replace(PathBuf::from(s)).is_some() {
                    return Err("only one FILE or DIR".into());
                }
            }
        }
    }
    let input = input.ok_or("missing FILE or DIR")?;
    Ok(Options { input, csv, json })
}

/// One input file's outcome.
#[derive(Debug, Serialize)]
struct FileResult {
    file: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    claims: Vec<MonthlyClaim>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    forms: Vec<FormModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<FileError>,
    #[serde(skip)]
    patient: String,
}

#[derive(Debug, Serialize)]
struct FileError {
    /// The input field at fault when known (`insurance.copay_percent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    message_ja: String,
    message: String,
}

#[derive(Debug, Serialize)]
struct BatchOutput {
    files: Vec<FileResult>,
    summaries: Vec<SummaryForm>,
}

fn run_with(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let opts = match parse_args(args) {
        Ok(o) => o,
        Err(msg) => {
            let _ = writeln!(err, "{msg}\n\n{USAGE}");
            return 2;
        }
    };
    let files = match input_files(&opts.input) {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(
                err,
                "エラー: 「{0}」を読めません。\nerror: cannot read {0}: {e}",
                opts.input.display()
            );
            return 2;
        }
    };
    if files.is_empty() {
        let _ = writeln!(
            err,
            "エラー: 「{0}」に *.json がありません。\nerror: no *.json files in {0}",
            opts.input.display()
        );
        return 2;
    }
    let results: Vec<FileResult> = files.iter().map(|f| compute_file(f)).collect();
    let mut failed = false;
    for r in &results {
        if let Some(e) = &r.error {
            failed = true;
            let _ = writeln!(
                err,
                "エラー: {}: {}{}",
                r.file,
                e.field
                    .as_deref()
                    .map(|f| format!("項目「{f}」: "))
                    .unwrap_or_default(),
                e.message_ja
            );
        }
        for c in r.claims.iter().filter(|c| c.has_errors()) {
            failed = true;
            for f in c.findings.iter().filter(|f| f.severity == Severity::Error) {
                let _ = writeln!(
                    err,
                    "{} {}: {} ({})",
                    r.file, c.month, f.message_ja, f.field
                );
            }
        }
    }
    let all_claims: Vec<MonthlyClaim> = results.iter().flat_map(|r| r.claims.clone()).collect();
    if let Some(path) = &opts.csv {
        if let Err(e) = std::fs::write(path, to_csv(&results)) {
            let _ = writeln!(err, "エラー: CSV を書けません: {} ({e})", path.display());
            return 1;
        }
    }
    let batch = BatchOutput {
        summaries: summaries(&all_claims),
        files: results,
    };
    let text = match serde_json::to_string_pretty(&batch) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 1;
        }
    };
    match &opts.json {
        Some(path) => {
            if let Err(e) = std::fs::write(path, format!("{text}\n")) {
                let _ = writeln!(err, "エラー: JSON を書けません: {} ({e})", path.display());
                return 1;
            }
        }
        None => {
            let _ = writeln!(out, "{text}");
        }
    }
    i32::from(failed)
}

fn input_files(input: &Path) -> std::io::Result<Vec<PathBuf>> {
    if !input.is_dir() {
        std::fs::metadata(input)?;
        return Ok(vec![input.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(input)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

fn compute_file(path: &Path) -> FileResult {
    let mut result = FileResult {
        file: path.display().to_string(),
        claims: Vec::new(),
        forms: Vec::new(),
        error: None,
        patient: String::new(),
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            result.error = Some(FileError {
                field: None,
                message_ja: "ファイルを読めません（UTF-8 の JSON が必要です）。".into(),
                message: e.to_string(),
            });
            return result;
        }
    };
    let input: ClaimInput = match serde_json::from_str(&text) {
        Ok(i) => i,
        Err(e) => {
            result.error = Some(parse_error(&text, &e));
            return result;
        }
    };
    result.patient = input.patient.name.clone();
    match compute(&input) {
        Ok(claims) => {
            result.forms = claims.iter().map(|c| claim_form(&input, c)).collect();
            result.claims = claims;
        }
        Err(e) => {
            result.error = Some(FileError {
                field: Some("visits".into()),
                message_ja: e.message_ja(),
                message: format!("{e:?}"),
            });
        }
    }
    result
}

/// serde reports a position; the clinic needs the field. The last key written before
/// the position is the field being read (or its parent object for a missing field).
fn parse_error(text: &str, e: &serde_json::Error) -> FileError {
    let offset = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        + e.column();
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let field = missing_or_unknown_field(&e.to_string()).or_else(|| last_key(before));
    FileError {
        field,
        message_ja: format!(
            "入力の形式が正しくありません（{}行{}列）。docs/claims.md の入力形式を確認してください。",
            e.line(),
            e.column()
        ),
        message: e.to_string(),
    }
}

fn missing_or_unknown_field(msg: &str) -> Option<String> {
    let start = msg.find('`')? + 1;
    let len = msg.get(start..)?.find('`')?;
    let prefix = msg.get(..start)?;
    (prefix.contains("missing field") || prefix.contains("unknown field"))
        .then(|| msg.get(start..start + len).map(str::to_string))
        .flatten()
}

fn last_key(before: &str) -> Option<String> {
    let colon = before.rfind("\":")?;
    let head = before.get(..colon)?;
    let open = head.rfind('"')?;
    head.get(open + 1..).map(str::to_string)
}

use ukemi_core::records::month::csv_cell;

fn to_csv(results: &[FileResult]) -> String {
    let mut out = String::from(
        "file,month,discipline,insurer_number,patient,actual_days,total_yen,copay_yen,billed_yen,public_billed_yen,errors,warnings,findings\n",
    );
    for r in results {
        if let Some(e) = &r.error {
            let msg = format!(
                "{}{}",
                e.field
                    .as_deref()
                    .map(|f| format!("{f}: "))
                    .unwrap_or_default(),
                e.message_ja
            );
            let row = [
                csv_cell(&r.file),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                "1".into(),
                "0".into(),
                csv_cell(&msg),
            ];
            out.push_str(&row.join(","));
            out.push('\n');
        }
        for c in &r.claims {
            let count = |s| c.findings.iter().filter(|f| f.severity == s).count();
            let codes: Vec<&str> = c.findings.iter().map(|f| f.code.as_str()).collect();
            let discipline = serde_json::to_value(c.discipline)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let row = [
                csv_cell(&r.file),
                c.month.to_string(),
                discipline,
                csv_cell(&c.insurer_number),
                csv_cell(&r.patient),
                c.visit_dates.len().to_string(),
                c.total_yen.to_string(),
                c.copay_yen.to_string(),
                c.billed_yen.to_string(),
                c.public
                    .as_ref()
                    .map_or(0, |p| p.public_billed_yen)
                    .to_string(),
                count(Severity::Error).to_string(),
                count(Severity::Warning).to_string(),
                csv_cell(&codes.join(" ")),
            ];
            out.push_str(&row.join(","));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/claims")
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ukemi-claims-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    fn run_args(args: &[&str]) -> (i32, String, String) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_with(&args, &mut out, &mut err);
        (
            code,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    }

    #[test]
    fn usage_errors_exit_2() {
        assert_eq!(run_args(&[]).0, 2);
        assert_eq!(run_args(&["compute"]).0, 2);
        assert_eq!(run_args(&["compute", "a", "b"]).0, 2);
        assert_eq!(run_args(&["compute", "a", "--csv"]).0, 2);
        assert_eq!(run_args(&["frobnicate"]).0, 2);
        assert_eq!(run_args(&["compute", "/nonexistent/ukemi.json"]).0, 2);
    }

    #[test]
    fn one_file_to_stdout() {
        let f = fixtures().join("judo_sprain_3parts.json");
        let (code, out, err) = run_args(&["compute", &f.display().to_string()]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["files"][0]["claims"][0]["total_yen"], 8911);
        assert_eq!(v["files"][0]["forms"][0]["form_id"], "様式第5号");
        assert_eq!(v["summaries"][0]["total_yen"], 8911);
    }

    #[test]
    fn batch_with_a_bad_file_still_computes_the_rest() {
        let dir = scratch("batch");
        for name in ["judo_sprain_3parts.json", "massage_deformity.json"] {
            std::fs::copy(fixtures().join(name), dir.join(name)).expect("copy");
        }
        std::fs::write(
            dir.join("bad.json"),
            std::fs::read_to_string(fixtures().join("massage_deformity.json"))
                .expect("read")
                .replace("\"copay_percent\": 20", "\"copay_percent\": \"2割\""),
        )
        .expect("write");
        std::fs::write(dir.join("notes.txt"), "ignored").expect("write");
        let csv = dir.join("out.csv");
        let json = dir.join("out.json");
        let (code, out, err) = run_args(&[
            "compute",
            &dir.display().to_string(),
            "--csv",
            &csv.display().to_string(),
            "--json",
            &json.display().to_string(),
        ]);
        assert_eq!(code, 1);
        assert!(out.is_empty());
        assert!(
            err.contains("bad.json") && err.contains("copay_percent"),
            "{err}"
        );
        let csv = std::fs::read_to_string(csv).expect("csv");
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4, "{csv}");
        assert!(lines[1].contains("bad.json") && lines[1].contains("copay_percent"));
        assert!(lines[2].contains(",8911,2670,6241,"), "{}", lines[2]);
        assert!(lines[3].contains(",9120,1820,7300,910,"), "{}", lines[3]);
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(json).expect("json")).expect("json");
        assert_eq!(v["files"].as_array().map(Vec::len), Some(3));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn error_finding_exits_1() {
        let dir = scratch("finding");
        let text = std::fs::read_to_string(fixtures().join("judo_sprain_3parts.json"))
            .expect("read")
            .replace("06139992", "06139993");
        let f = dir.join("case.json");
        std::fs::write(&f, text).expect("write");
        let (code, _, err) = run_args(&["compute", &f.display().to_string()]);
        assert_eq!(code, 1);
        assert!(err.contains("検証番号"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn names_missing_fields() {
        let e = serde_json::from_str::<ClaimInput>("{\"clinic\": {}}").expect_err("bad");
        assert_eq!(
            parse_error("{\"clinic\": {}}", &e).field.as_deref(),
            Some("name")
        );
    }
}
