//! `ukemi-companion claims …`: batch claim computation for vendors and billing agencies.
//!
//! Exit codes: 0 every claim computed without an error finding; 1 some claim has an error
//! finding, or some file could not be read or computed (the rest of the batch still is);
//! 2 usage errors.

use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use ukemi_core::claims::forms::{claim_form, summaries, FormModel, SummaryForm};
use ukemi_core::claims::{compute, ClaimInput, MonthlyClaim, Severity};

const USAGE: &str = "\
usage: ukemi-companion claims compute FILE|DIR [--table] [--json [OUT]] [--csv OUT]

  compute  computes the monthly claims (療養費支給申請書) of one case file, or of every
           *.json file in DIR, with findings and the forms as data (docs/claims.md)
  --table  prints one line per claim: 合計, 一部負担金 and 請求金額 as the form shows them,
           and what the patient pays at the window (the default on a terminal)
  --json   prints the whole result as JSON (the default when standard output is not a
           terminal); with OUT, writes it there instead
  --csv    also writes one CSV row per claim (and per unreadable file)

exit: 0 no error findings, 1 an error finding or a bad file, 2 usage";

/// Runs the subcommand with the arguments after `claims`; returns the process exit code.
pub fn run(args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run_with(args, &mut stdout.lock(), &mut stderr.lock())
}

/// Where the result goes on standard output.
#[derive(Debug, PartialEq, Clone, Copy)]
enum Stdout {
    /// `--table`, or a terminal without `--json`.
    Table,
    /// `--json` without a file, or standard output is not a terminal.
    Json,
    /// Neither asked: the caller picks by whether standard output is a terminal.
    Auto,
    /// `--json OUT` alone: the result went to the file.
    Quiet,
}

#[derive(Debug, PartialEq)]
struct Options {
    input: PathBuf,
    csv: Option<PathBuf>,
    json: Option<PathBuf>,
    stdout: Stdout,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut it = args.iter().peekable();
    match it.next().map(String::as_str) {
        Some("compute") => {}
        Some(other) => return Err(format!("unknown command: {other}")),
        None => return Err("missing command".into()),
    }
    let mut positional: Vec<PathBuf> = Vec::new();
    let mut csv = None;
    let mut json_flag = false;
    // `--json OUT`: the value right after `--json`, if it is not an option.
    let mut json_value: Option<usize> = None;
    let mut table = false;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--csv" => {
                let Some(v) = it.next() else {
                    return Err("--csv needs a file name".into());
                };
                if csv.replace(PathBuf::from(v)).is_some() {
                    return Err("--csv given twice".into());
                }
            }
            "--json" => {
                if json_flag {
                    return Err("--json given twice".into());
                }
                json_flag = true;
                if it.peek().is_some_and(|v| !v.starts_with("--")) {
                    json_value = Some(positional.len());
                }
            }
            "--table" => table = true,
            s if s.starts_with("--") => return Err(format!("unknown option: {s}")),
            s => positional.push(PathBuf::from(s)),
        }
    }
    // `compute DIR --json OUT` and `compute --json OUT DIR` name a file; `compute DIR --json`
    // and `compute --json DIR` do not.
    let json = match (json_value, positional.len()) {
        (Some(i), 2) => Some(positional.remove(i)),
        _ => None,
    };
    if positional.len() > 1 {
        return Err("only one FILE or DIR".into());
    }
    let input = positional.pop().ok_or("missing FILE or DIR")?;
    let stdout = match (table, json_flag && json.is_none()) {
        (true, true) => return Err("--table and --json (to standard output) together".into()),
        (true, false) => Stdout::Table,
        (false, true) => Stdout::Json,
        (false, false) if json.is_some() => Stdout::Quiet,
        (false, false) => Stdout::Auto,
    };
    Ok(Options {
        input,
        csv,
        json,
        stdout,
    })
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
    if let Some(path) = &opts.json {
        if let Err(e) = std::fs::write(path, format!("{text}\n")) {
            let _ = writeln!(err, "エラー: JSON を書けません: {} ({e})", path.display());
            return 1;
        }
    }
    let stdout = match opts.stdout {
        Stdout::Auto if std::io::stdout().is_terminal() => Stdout::Table,
        Stdout::Auto => Stdout::Json,
        s => s,
    };
    match stdout {
        Stdout::Json => {
            let _ = writeln!(out, "{text}");
        }
        Stdout::Quiet => {}
        Stdout::Table | Stdout::Auto => {
            let _ = write!(out, "{}", to_table(&batch.files));
        }
    }
    i32::from(failed)
}

/// One line per claim with the figures as the 申請書 shows them and the window's, aligned
/// for a terminal; amounts are plain integers (yen) so the lines also cut cleanly.
fn to_table(results: &[FileResult]) -> String {
    let header = [
        "ファイル file",
        "月 month",
        "合計 total",
        "一部負担金 copay",
        "請求金額 billed",
        "窓口負担 window",
        "公費請求 public",
        "エラー errors",
        "警告 warnings",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in results {
        let file = Path::new(&r.file)
            .file_name()
            .map_or_else(|| r.file.clone(), |f| f.to_string_lossy().into_owned());
        if let Some(e) = &r.error {
            let mut row = vec![file.clone(), "-".into()];
            row.extend(std::iter::repeat_n("-".to_string(), 5));
            row.push("1".into());
            row.push(format!(
                "{}{}",
                e.field
                    .as_deref()
                    .map(|f| format!("{f}: "))
                    .unwrap_or_default(),
                e.message_ja
            ));
            rows.push(row);
        }
        for c in &r.claims {
            let count = |s| c.findings.iter().filter(|f| f.severity == s).count();
            rows.push(vec![
                file.clone(),
                c.month.to_string(),
                c.total_yen.to_string(),
                c.copay_yen.to_string(),
                c.billed_yen.to_string(),
                c.window_yen.to_string(),
                c.public
                    .as_ref()
                    .map_or(0, |p| p.public_billed_yen)
                    .to_string(),
                count(Severity::Error).to_string(),
                count(Severity::Warning).to_string(),
            ]);
        }
    }
    let width = |s: &str| {
        s.chars()
            .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
            .sum::<usize>()
    };
    let cols = header.len();
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|s| width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let pad = widths.get(i).copied().unwrap_or(0).saturating_sub(width(s));
                // Text left, amounts right.
                if i < 2 || i >= cols {
                    format!("{s}{}", " ".repeat(pad))
                } else {
                    format!("{}{s}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
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
    // A value the model refuses (an impossible date) says why in Japanese first: keep that
    // part of serde's message, without its position.
    let reason = e.is_data().then(|| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        msg.split(" / ").next().unwrap_or(&msg).to_string()
    });
    FileError {
        field,
        message_ja: match reason.filter(|r| !r.is_ascii()) {
            Some(r) => format!("{r}（{}行{}列）。", e.line(), e.column()),
            None => format!(
                "入力の形式が正しくありません（{}行{}列）。docs/claims.md の入力形式を確認してください。",
                e.line(),
                e.column()
            ),
        },
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
        "file,month,discipline,insurer_number,patient,actual_days,total_yen,copay_yen,billed_yen,public_billed_yen,window_yen,errors,warnings,findings\n",
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
            let discipline = ukemi_core::wire_name(&c.discipline);
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
                c.window_yen.to_string(),
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
    use serde_json::json;

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
        assert_eq!(run_args(&["compute", "a", "--table", "--json"]).0, 2);
        assert_eq!(run_args(&["frobnicate"]).0, 2);
        assert_eq!(run_args(&["compute", "/nonexistent/ukemi.json"]).0, 2);
    }

    #[test]
    fn json_and_table_options() {
        let p = |a: &[&str]| parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let o = p(&["compute", "d", "--json"]).expect("ok");
        assert_eq!(
            (o.input.to_str(), o.json, o.stdout),
            (Some("d"), None, Stdout::Json)
        );
        let o = p(&["compute", "--json", "d"]).expect("ok");
        assert_eq!(
            (o.input.to_str(), o.json, o.stdout),
            (Some("d"), None, Stdout::Json)
        );
        let o = p(&["compute", "d", "--json", "o.json"]).expect("ok");
        assert_eq!(
            (
                o.input.to_str(),
                o.json.as_deref().and_then(Path::to_str),
                o.stdout
            ),
            (Some("d"), Some("o.json"), Stdout::Quiet)
        );
        let o = p(&["compute", "--json", "o.json", "d"]).expect("ok");
        assert_eq!(o.input.to_str(), Some("d"));
        assert_eq!(p(&["compute", "d"]).expect("ok").stdout, Stdout::Auto);
        assert_eq!(
            p(&["compute", "d", "--table"]).expect("ok").stdout,
            Stdout::Table
        );
    }

    /// The fixture worked out in core's claims tests: 合計 8,691; form 一部負担金 2,608 and
    /// 請求金額 6,083; window 2,610.
    #[test]
    fn one_file_to_stdout() {
        let f = fixtures().join("judo_sprain_3parts.json");
        let (code, out, err) = run_args(&["compute", &f.display().to_string(), "--json"]);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        let c = &v["files"][0]["claims"][0];
        assert_eq!(
            (
                &c["total_yen"],
                &c["copay_yen"],
                &c["billed_yen"],
                &c["window_yen"]
            ),
            (&json!(8691), &json!(2608), &json!(6083), &json!(2610))
        );
        assert_eq!(v["files"][0]["forms"][0]["form_id"], "様式第5号");
        assert_eq!(v["summaries"][0]["total_yen"], 8691);
        let (code, table, _) = run_args(&["compute", &f.display().to_string(), "--table"]);
        assert_eq!(code, 0);
        let row: Vec<&str> = table
            .lines()
            .nth(1)
            .expect("a claim row")
            .split_whitespace()
            .collect();
        assert_eq!(
            row,
            [
                "judo_sprain_3parts.json",
                "2024-10",
                "8691",
                "2608",
                "6083",
                "2610",
                "0",
                "0",
                "6"
            ]
        );
    }

    /// "2024-02-30" names the day that does not exist, in Japanese, with its field.
    #[test]
    fn impossible_date_says_why() {
        let dir = scratch("date");
        let text = std::fs::read_to_string(fixtures().join("judo_sprain_3parts.json"))
            .expect("read")
            .replace("\"2024-10-04\"", "\"2024-02-30\"");
        let f = dir.join("case.json");
        std::fs::write(&f, text).expect("write");
        let (code, _, err) = run_args(&["compute", &f.display().to_string(), "--json"]);
        assert_eq!(code, 1);
        assert!(
            err.contains("2024年2月は29日まで") && err.contains("date"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(dir);
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
        assert!(lines[2].contains(",8691,2608,6083,0,2610,"), "{}", lines[2]);
        // マッサージ 2割: 一部負担金 9,120 × 20/100 = 1,824, 請求 7,296; the patient pays the
        // 公費's 1割 per visit (1,980 → 198, 2,740 → 274, 4,400 → 440: 912), so the 公費
        // bills 1,824 − 912 = 912.
        assert!(
            lines[3].contains(",9120,1824,7296,912,912,"),
            "{}",
            lines[3]
        );
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
