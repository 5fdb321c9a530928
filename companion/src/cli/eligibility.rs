//! `ukemi-companion eligibility …`: tools on eligibility response files, for vendors and
//! support staff who hold a file from the service (or from the official app) and want to
//! see what Ukemi makes of it.
//!
//! Exit codes: 0 a result was printed; 1 the input is malformed or unusable (a Japanese and
//! an English line on stderr); 2 usage errors; 3 the service's answer is 異常終了 / an error
//! for the person (printed on stdout as JSON, verbatim code and message).

use std::io::{Read, Write};
use ukemi_core::eligibility::vocab::{
    parse_response, to_json, to_result, to_xml, Abnormal, AbnormalKind, VocabError,
};
use ukemi_core::eligibility::ReferenceKind;

const USAGE: &str = "\
usage: ukemi-companion eligibility parse FILE [--reference KIND]
       ukemi-companion eligibility convert FILE --to xml|json

  parse    prints the response (XML in UTF-8/Shift_JIS, or JSON) as Ukemi's normalised
           result in JSON; FILE may be - for standard input
  convert  rewrites the response in the service's vocabulary as UTF-8 XML or JSON
  KIND     card-pin | card-visual | insurance-numbers | imported (default: imported,
           or insurance-numbers when the file says ReferenceClassification 2)

exit: 0 result, 1 malformed input, 2 usage, 3 the service answered with an error";

/// Runs the subcommand with the arguments after `eligibility`; returns the process exit code.
pub fn run(args: &[String]) -> i32 {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run_with(
        args,
        &mut stdin.lock(),
        &mut stdout.lock(),
        &mut stderr.lock(),
    )
}

fn run_with(
    args: &[String],
    stdin: &mut dyn Read,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let command = match parse_args(args) {
        Ok(c) => c,
        Err(msg) => {
            let _ = writeln!(err, "{msg}\n\n{USAGE}");
            return 2;
        }
    };
    let bytes = match read_input(command.file(), stdin) {
        Ok(b) => b,
        Err(e) => {
            let _ = writeln!(
                err,
                "エラー: ファイル「{0}」を読めません。\nerror: cannot read {0}: {e}",
                command.file()
            );
            return 1;
        }
    };
    let msg = match parse_response(&bytes) {
        Ok(m) => m,
        Err(e) => return malformed(err, &e),
    };
    match command {
        Command::Convert { to, .. } => {
            let text = match to {
                Target::Xml => to_xml(&msg),
                Target::Json => to_json(&msg),
            };
            let _ = write!(out, "{text}");
            if !text.ends_with('\n') {
                let _ = writeln!(out);
            }
            0
        }
        Command::Parse { reference, .. } => {
            let reference =
                reference.unwrap_or(match msg.message_header.reference_classification {
                    Some(
                        ukemi_core::eligibility::vocab::ReferenceClassification::InsuranceCardInfo,
                    ) => ReferenceKind::InsuranceNumbers,
                    // A file was checked elsewhere; whether by PIN or 目視 is not on the wire.
                    _ => ReferenceKind::Imported,
                });
            match to_result(&msg, reference) {
                Ok(result) => match serde_json::to_string_pretty(&result) {
                    Ok(json) => {
                        let _ = writeln!(out, "{json}");
                        0
                    }
                    Err(e) => {
                        let _ = writeln!(err, "エラー: 結果をJSONにできません。\nerror: {e}");
                        1
                    }
                },
                Err(Abnormal {
                    kind: AbnormalKind::Unusable(e),
                    ..
                }) => malformed(err, &e),
                Err(a) => {
                    let json = abnormal_json(&a);
                    let _ = writeln!(
                        out,
                        "{}",
                        serde_json::to_string_pretty(&json).unwrap_or_else(|_| json.to_string())
                    );
                    let _ = writeln!(err, "{}\n{}", a.message_ja(), a.message_en());
                    3
                }
            }
        }
    }
}

fn malformed(err: &mut dyn Write, e: &VocabError) -> i32 {
    let _ = writeln!(err, "エラー: {}\nerror: {}", e.message_ja(), e.message_en());
    1
}

fn abnormal_json(a: &Abnormal) -> serde_json::Value {
    let (kind, segment) = match &a.kind {
        AbnormalKind::Service { segment } => ("service", Some(segment.code().to_string())),
        AbnormalKind::Person => ("person", None),
        AbnormalKind::Unusable(_) => ("unusable", None),
    };
    serde_json::json!({
        "abnormal": {
            "kind": kind,
            "segment_of_result": segment,
            "error_code": a.error_code,
            "error_message": a.error_message,
            "message_ja": a.message_ja(),
            "message_en": a.message_en(),
        }
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Xml,
    Json,
}

#[derive(Debug, PartialEq, Eq)]
enum Command {
    Parse {
        file: String,
        reference: Option<ReferenceKind>,
    },
    Convert {
        file: String,
        to: Target,
    },
}

impl Command {
    fn file(&self) -> &str {
        match self {
            Command::Parse { file, .. } | Command::Convert { file, .. } => file,
        }
    }
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    let (sub, rest) = args
        .split_first()
        .ok_or_else(|| "サブコマンドがありません / missing subcommand".to_string())?;
    let mut file = None;
    let mut reference = None;
    let mut to = None;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--reference" => {
                let v = it
                    .next()
                    .ok_or("--reference には値が必要です / --reference needs a value")?;
                reference = Some(match v.as_str() {
                    "card-pin" => ReferenceKind::CardPin,
                    "card-visual" => ReferenceKind::CardVisual,
                    "insurance-numbers" => ReferenceKind::InsuranceNumbers,
                    "imported" => ReferenceKind::Imported,
                    other => {
                        return Err(format!(
                            "照会の種類「{other}」は不明です / unknown reference kind {other:?}"
                        ))
                    }
                });
            }
            "--to" => {
                let v = it
                    .next()
                    .ok_or("--to には値が必要です / --to needs a value")?;
                to = Some(match v.as_str() {
                    "xml" => Target::Xml,
                    "json" => Target::Json,
                    other => {
                        return Err(format!(
                            "出力形式「{other}」は不明です / unknown format {other:?}"
                        ))
                    }
                });
            }
            "-" => file = Some("-".to_string()),
            flag if flag.starts_with("--") => {
                return Err(format!("不明なオプション {flag} / unknown option {flag}"))
            }
            path if file.is_none() => file = Some(path.to_string()),
            extra => return Err(format!("余分な引数 {extra} / unexpected argument {extra}")),
        }
    }
    let file = file.ok_or("ファイルを指定してください / FILE is required")?;
    match sub.as_str() {
        "parse" if to.is_none() => Ok(Command::Parse { file, reference }),
        "convert" if reference.is_none() => Ok(Command::Convert {
            file,
            to: to.ok_or(
                "--to xml または --to json を指定してください / --to xml|json is required",
            )?,
        }),
        "parse" | "convert" => Err(format!(
            "{sub} では使えないオプションがあります / an option does not apply to {sub}"
        )),
        other => Err(format!(
            "不明なサブコマンド {other} / unknown subcommand {other}"
        )),
    }
}

fn read_input(file: &str, stdin: &mut dyn Read) -> std::io::Result<Vec<u8>> {
    // One byte over the parser's limit is enough for it to say "too large" without
    // reading an arbitrarily large file into memory.
    let limit = ukemi_core::eligibility::vocab::MAX_INPUT_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    if file == "-" {
        stdin.take(limit).read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(file)?
            .take(limit)
            .read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        format!(
            "{}/../tests/fixtures/eligibility/{name}",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    fn call(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_with(&args, &mut &stdin[..], &mut out, &mut err);
        (
            code,
            String::from_utf8(out).expect("utf-8 stdout"),
            String::from_utf8(err).expect("utf-8 stderr"),
        )
    }

    #[test]
    fn parse_prints_the_normalised_result() {
        let (code, out, err) = call(&["parse", &fixture("sample-sjis.xml")], b"");
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["validity"], "valid");
        assert_eq!(v["reference"], "imported");
        assert_eq!(v["qualifications"][0]["insurer_number"], "123456");
        assert_eq!(v["qualifications"][0]["name_kana"], "シンリョウ　タロウ");
        assert_eq!(v["checked_on"], "2023-02-21");

        let (code, out, _) = call(
            &["parse", &fixture("lost.xml"), "--reference", "card-visual"],
            b"",
        );
        assert_eq!(code, 0);
        assert!(out.contains("\"card_visual\""));
    }

    #[test]
    fn parse_reads_json_from_stdin() {
        let json = std::fs::read(fixture("sample.json")).expect("fixture");
        let (code, out, _) = call(&["parse", "-"], &json);
        assert_eq!(code, 0);
        assert!(out.contains("\"insurer_number\": \"123456\""));
    }

    #[test]
    fn abnormal_answer_is_printed_verbatim_with_exit_3() {
        let (code, out, err) = call(&["parse", &fixture("abnormal-9.xml")], b"");
        assert_eq!(code, 3);
        let v: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(v["abnormal"]["segment_of_result"], "9");
        assert_eq!(v["abnormal"]["error_code"], "EXXXX001");
        assert_eq!(
            v["abnormal"]["error_message"],
            "システムエラーが発生しました。"
        );
        assert!(err.contains("システムエラーが発生しました。"));
    }

    #[test]
    fn malformed_input_is_exit_1_in_both_languages() {
        for input in [&b"garbage"[..], b"<XmlMsg><MessageHeader>", b""] {
            let (code, out, err) = call(&["parse", "-"], input);
            assert_eq!(code, 1, "{err}");
            assert!(out.is_empty());
            assert!(err.contains("エラー:") && err.contains("error:"), "{err}");
        }
        let (code, _, err) = call(&["parse", "/nonexistent/ukemi-test.xml"], b"");
        assert_eq!(code, 1);
        assert!(err.contains("読めません"));
    }

    #[test]
    fn usage_errors_are_exit_2() {
        for args in [
            &[][..],
            &["parse"][..],
            &["frobnicate", "x"][..],
            &["parse", "a", "b"][..],
            &["parse", "a", "--reference", "psychic"][..],
            &["convert", "a"][..],
            &["convert", "a", "--to", "yaml"][..],
            &["parse", "a", "--to", "xml"][..],
        ] {
            let (code, _, err) = call(args, b"");
            assert_eq!(code, 2, "{args:?}");
            assert!(err.contains("usage:"));
        }
    }

    #[test]
    fn convert_rewrites_in_the_other_form() {
        let (code, out, _) = call(
            &["convert", &fixture("sample-utf8.xml"), "--to", "json"],
            b"",
        );
        assert_eq!(code, 0);
        let (code, xml, _) = call(&["convert", "-", "--to", "xml"], out.as_bytes());
        assert_eq!(code, 0);
        assert!(xml.contains("<InsurerNumber>  123456</InsurerNumber>"));
    }
}
