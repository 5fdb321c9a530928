//! The official マイナ資格確認アプリ shows its result as text that staff copy; this reads that
//! text into the same [`EligibilityResult`] a card check gives, so a pasted result registers
//! a patient the same way (docs/records.md, "アプリの結果を貼り付ける").
//!
//! The app offers no file export, and the 施術所 flavour's exact layout is not published: the
//! text is read as `label：value` lines (full- or half-width colon, a tab, or the value on the
//! next line), labels compared without spaces, 「・」 or brackets and in full-width カナ.
//! Dates may be 和暦 (令和6年11月27日, R6.11.27) or western. Nothing is guessed: a line
//! that is not understood is listed, a value that does not read is named, and without
//! 氏名, 生年月日, 保険者番号 and 番号 there is no result.

use super::model::{
    EligibilityResult, PersonalFamily, Qualification, QualificationValidity, ReferenceKind, Sex,
};
use super::validate_insurer_number;
use crate::date::Date;
use crate::text::{ascii_digits, hiragana_to_katakana, to_fullwidth_kana};
use serde::{Deserialize, Serialize};

/// One field the text gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Kana,
    Birth,
    Sex,
    InsurerNumber,
    InsurerName,
    Symbol,
    Number,
    Branch,
    SymbolNumber,
    Person,
    InsuredName,
    QualificationDate,
    ValidFrom,
    ValidUntil,
    LossDate,
    Ratio,
    Address,
    Postal,
    CheckedOn,
    Validity,
    CardKind,
}

impl Field {
    pub fn label_ja(self) -> &'static str {
        match self {
            Field::Name => "氏名",
            Field::Kana => "フリガナ",
            Field::Birth => "生年月日",
            Field::Sex => "性別",
            Field::InsurerNumber => "保険者番号",
            Field::InsurerName => "保険者名",
            Field::Symbol => "記号",
            Field::Number => "番号",
            Field::Branch => "枝番",
            Field::SymbolNumber => "記号・番号",
            Field::Person => "本人・家族の別",
            Field::InsuredName => "被保険者氏名",
            Field::QualificationDate => "資格取得年月日",
            Field::ValidFrom => "有効開始日",
            Field::ValidUntil => "有効終了日",
            Field::LossDate => "資格喪失日",
            Field::Ratio => "一部負担金割合",
            Field::Address => "住所",
            Field::Postal => "郵便番号",
            Field::CheckedOn => "確認日",
            Field::Validity => "資格の状態",
            Field::CardKind => "被保険者証区分",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Kana => "Name (kana)",
            Field::Birth => "Date of birth",
            Field::Sex => "Sex",
            Field::InsurerNumber => "Insurer number",
            Field::InsurerName => "Insurer",
            Field::Symbol => "Symbol",
            Field::Number => "Number",
            Field::Branch => "Branch number",
            Field::SymbolNumber => "Symbol and number",
            Field::Person => "Insured or dependent",
            Field::InsuredName => "Insured person",
            Field::QualificationDate => "Qualified on",
            Field::ValidFrom => "Valid from",
            Field::ValidUntil => "Valid until",
            Field::LossDate => "Lost on",
            Field::Ratio => "Co-payment",
            Field::Address => "Address",
            Field::Postal => "Postal code",
            Field::CheckedOn => "Checked on",
            Field::Validity => "Status",
            Field::CardKind => "Card kind",
        }
    }
}

/// Labels as the app (and its variants) write them, normalised (see [`norm`]).
const LABELS: &[(&str, Field)] = &[
    ("氏名", Field::Name),
    ("名前", Field::Name),
    ("患者氏名", Field::Name),
    ("フリガナ", Field::Kana),
    ("カナ氏名", Field::Kana),
    ("氏名カナ", Field::Kana),
    ("カナ", Field::Kana),
    ("生年月日", Field::Birth),
    ("性別", Field::Sex),
    ("性別1", Field::Sex),
    ("保険者番号", Field::InsurerNumber),
    ("保険者名", Field::InsurerName),
    ("保険者名称", Field::InsurerName),
    ("記号", Field::Symbol),
    ("被保険者証記号", Field::Symbol),
    ("番号", Field::Number),
    ("被保険者証番号", Field::Number),
    ("枝番", Field::Branch),
    ("記号番号", Field::SymbolNumber),
    ("本人家族の別", Field::Person),
    ("本人家族", Field::Person),
    ("被保険者氏名", Field::InsuredName),
    ("世帯主氏名", Field::InsuredName),
    ("資格取得年月日", Field::QualificationDate),
    ("資格取得日", Field::QualificationDate),
    ("有効開始日", Field::ValidFrom),
    ("有効開始年月日", Field::ValidFrom),
    ("有効終了日", Field::ValidUntil),
    ("有効終了年月日", Field::ValidUntil),
    ("有効期限", Field::ValidUntil),
    ("資格喪失日", Field::LossDate),
    ("資格喪失年月日", Field::LossDate),
    ("一部負担金割合", Field::Ratio),
    ("負担割合", Field::Ratio),
    ("一部負担割合", Field::Ratio),
    ("住所", Field::Address),
    ("郵便番号", Field::Postal),
    ("確認日", Field::CheckedOn),
    ("資格確認日", Field::CheckedOn),
    ("資格有効性", Field::Validity),
    ("資格", Field::Validity),
    ("被保険者証区分", Field::CardKind),
];

/// Headings and fields the app shows that a 施術所 does not use: read past, not reported.
const IGNORED: &[&str] = &[
    "資格確認結果",
    "資格情報",
    "保険者情報",
    "被保険者証情報",
    "裏面記載情報",
    "限度額適用認定証",
    "限度額適用認定証情報",
    "高齢受給者証",
    "特定疾病療養受療証",
    "交付年月日",
    "被保険者証交付年月日",
    "未就学区分",
    "照会番号",
    "確認時刻",
    "確認方法",
];

/// A label compared without spaces, 「・」, brackets or colons, in full-width カナ.
fn norm(s: &str) -> String {
    to_fullwidth_kana(s)
        .chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '・' | '･'
                        | '（'
                        | '）'
                        | '('
                        | ')'
                        | '【'
                        | '】'
                        | '['
                        | ']'
                        | '：'
                        | ':'
                        | '■'
                        | '●'
                        | '◆'
                )
        })
        .collect()
}

fn label_of(s: &str) -> Option<Field> {
    let n = norm(s);
    LABELS.iter().find(|(l, _)| *l == n).map(|(_, f)| *f)
}

fn ignored(s: &str) -> bool {
    let n = norm(s);
    !n.is_empty() && IGNORED.contains(&n.as_str())
}

/// Splits `label：value` (full- or half-width colon, a tab, or two spaces).
fn split(line: &str) -> Option<(&str, &str)> {
    for sep in ["：", ":", "\t", "　", "  "] {
        if let Some((l, v)) = line.split_once(sep) {
            if !l.trim().is_empty() {
                return Some((l.trim(), v.trim()));
            }
        }
    }
    None
}

/// What the pasted text gave, and what it did not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppText {
    /// The check as a result, when the text names the person and the insurance.
    pub result: Option<EligibilityResult>,
    /// Every field read, with its value as read.
    pub read: Vec<(Field, String)>,
    /// Lines that are neither a known field nor a heading.
    pub unread: Vec<String>,
    /// Fields a result needs that the text lacks.
    pub missing: Vec<Field>,
    /// Values that did not read (a date that does not exist, a bad insurer number) —
    /// (field, value, why in Japanese).
    pub errors: Vec<(Field, String, String)>,
}

fn blank(v: &str) -> bool {
    matches!(v.trim(), "" | "-" | "－" | "―" | "なし" | "未設定")
}

/// Reads the pasted text. `today` is the 確認日 when the text has none.
pub fn parse(text: &str, today: Date) -> AppText {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut read: Vec<(Field, String)> = Vec::new();
    let mut unread = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        // A label alone on its line: the value is the next line, unless that is a label too.
        if let Some(f) = label_of(line) {
            let next = lines.get(i).copied();
            if let Some(v) = next.filter(|n| {
                label_of(n).is_none()
                    && !ignored(n)
                    && split(n).is_none_or(|(l, _)| label_of(l).is_none())
            }) {
                read.push((f, v.to_string()));
                i += 1;
            }
            continue;
        }
        match split(line) {
            Some((l, v)) => match label_of(l) {
                Some(f) => {
                    if !blank(v) {
                        read.push((f, v.to_string()));
                    }
                }
                None if ignored(l) => {}
                None => unread.push(line.to_string()),
            },
            None if ignored(line) => {}
            None => unread.push(line.to_string()),
        }
    }
    build(read, unread, today)
}

fn date_of(f: Field, v: &str, errors: &mut Vec<(Field, String, String)>) -> Option<Date> {
    match Date::parse_typed(v, None) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push((f, v.to_string(), e.message_ja()));
            None
        }
    }
}

fn build(read: Vec<(Field, String)>, unread: Vec<String>, today: Date) -> AppText {
    let mut errors = Vec::new();
    let get = |f: Field| {
        read.iter()
            .find(|(k, _)| *k == f)
            .map(|(_, v)| v.trim().to_string())
    };
    let digits = |f: Field| get(f).map(|v| ascii_digits(&v).replace([' ', '　', '-', '－'], ""));
    let mut symbol = get(Field::Symbol).map(|v| ascii_digits(&v));
    let mut number = digits(Field::Number);
    let mut branch = digits(Field::Branch);
    if let Some(both) = get(Field::SymbolNumber) {
        // 「12・345（00）」 or 「12 345 00」.
        let both = ascii_digits(&both);
        let parts: Vec<&str> = both
            .split(['・', '･', ' ', '　', '(', ')', '（', '）', '-', '－'])
            .filter(|p| !p.is_empty())
            .collect();
        match parts.as_slice() {
            [s, n] => {
                symbol = symbol.or(Some(s.to_string()));
                number = number.or(Some(n.to_string()));
            }
            [s, n, b, ..] => {
                symbol = symbol.or(Some(s.to_string()));
                number = number.or(Some(n.to_string()));
                branch = branch.or(Some(b.to_string()));
            }
            [n] => number = number.or(Some(n.to_string())),
            [] => {}
        }
    }
    let insurer_number = digits(Field::InsurerNumber);
    if let Some(n) = &insurer_number {
        if let Err(e) = validate_insurer_number(n) {
            errors.push((Field::InsurerNumber, n.clone(), e.message_ja()));
        }
    }
    let birth = get(Field::Birth).and_then(|v| date_of(Field::Birth, &v, &mut errors));
    let mut date = |f: Field| get(f).and_then(|v| date_of(f, &v, &mut errors));
    let qualification_date = date(Field::QualificationDate);
    let valid_from = date(Field::ValidFrom);
    let valid_until = date(Field::ValidUntil);
    let loss = date(Field::LossDate);
    let checked_on = date(Field::CheckedOn).unwrap_or(today);
    let sex = match get(Field::Sex).as_deref().map(str::trim) {
        Some("男" | "男性" | "1") => Sex::Male,
        Some("女" | "女性" | "2") => Sex::Female,
        Some(other) => {
            errors.push((
                Field::Sex,
                other.to_string(),
                "男・女のどちらかが読めません".into(),
            ));
            Sex::Unset
        }
        None => Sex::Unset,
    };
    let person = match get(Field::Person).map(|v| norm(&v)).as_deref() {
        Some("本人" | "被保険者" | "1") => Some(PersonalFamily::Insured),
        Some("家族" | "被扶養者" | "2") => Some(PersonalFamily::Dependent),
        Some(other) => {
            errors.push((
                Field::Person,
                other.to_string(),
                "本人・家族のどちらかが読めません".into(),
            ));
            None
        }
        None => None,
    };
    let ratio = get(Field::Ratio).and_then(|v| {
        let n = ascii_digits(&v);
        let num: String = n.chars().filter(char::is_ascii_digit).collect();
        let value: Option<u8> = num.parse().ok();
        match (value, n.contains('割')) {
            (Some(k), true) if k <= 3 => Some(k * 10),
            (Some(p), false) if [0, 10, 20, 30].contains(&p) => Some(p),
            _ => {
                errors.push((
                    Field::Ratio,
                    v.clone(),
                    "1割・2割・3割のどれかが読めません".into(),
                ));
                None
            }
        }
    });
    let validity = match get(Field::Validity).map(|v| norm(&v)).as_deref() {
        Some(v) if v.starts_with("無効") => QualificationValidity::Invalid,
        Some(v) if v.contains("該当なし") || v.contains("該当資格なし") => {
            QualificationValidity::NoMatch
        }
        _ => QualificationValidity::Valid,
    };
    let mut address = get(Field::Address);
    let mut postal =
        get(Field::Postal).map(|v| ascii_digits(&v).replace('〒', "").trim().to_string());
    // 「〒163-8001 東京都…」: the code in front of the address.
    if let Some(a) = address.clone() {
        let a2 = ascii_digits(&a);
        if let Some(rest) = a2.strip_prefix('〒') {
            let rest = rest.trim_start();
            let code: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '-')
                .collect();
            if code.chars().filter(char::is_ascii_digit).count() == 7 {
                postal = postal.or(Some(code.clone()));
                address = Some(rest[code.len()..].trim().to_string());
            }
        }
    }
    let postal = postal.map(|p| {
        let d: String = p.chars().filter(char::is_ascii_digit).collect();
        if d.len() == 7 {
            format!("{}-{}", &d[..3], &d[3..])
        } else {
            p
        }
    });
    let kana = get(Field::Kana).map(|v| hiragana_to_katakana(&to_fullwidth_kana(&v)));
    let name = get(Field::Name);
    let mut missing = Vec::new();
    for (f, present) in [
        (Field::Name, name.is_some()),
        (Field::Birth, birth.is_some()),
        (Field::InsurerNumber, insurer_number.is_some()),
        (Field::Number, number.is_some()),
    ] {
        if !present && !errors.iter().any(|(e, _, _)| *e == f) {
            missing.push(f);
        }
    }
    let bad_insurer = errors.iter().any(|(f, _, _)| *f == Field::InsurerNumber);
    let result = match (name, birth, insurer_number, number) {
        (Some(name), Some(birthdate), Some(insurer_number), Some(number)) if !bad_insurer => {
            let personal_family = person.unwrap_or(PersonalFamily::Insured);
            Some(EligibilityResult {
                checked_on,
                reference: ReferenceKind::Imported,
                validity,
                qualifications: vec![Qualification {
                    insurer_number,
                    insurer_name: get(Field::InsurerName).unwrap_or_default(),
                    card_classification: get(Field::CardKind),
                    symbol: symbol.filter(|s| !s.is_empty()),
                    number,
                    branch: branch.filter(|s| !s.is_empty()),
                    personal_family,
                    insured_name: get(Field::InsuredName),
                    name,
                    name_kana: kana.unwrap_or_default(),
                    sex,
                    birthdate,
                    address: address.filter(|a| !a.is_empty()),
                    postal_code: postal,
                    qualification_date,
                    disqualification_date: loss,
                    reason_of_loss: None,
                    valid_from,
                    valid_until,
                    contribution_percent: ratio,
                    preschool: false,
                    elderly: None,
                }],
                notice: None,
                card_serial: None,
            })
        }
        _ => None,
    };
    AppText {
        result,
        read,
        unread,
        missing,
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("test date")
    }

    const FULL: &str = "資格確認結果
氏名：山田　一郎
フリガナ：ヤマダ　イチロウ
生年月日：昭和55年5月5日
性別：男
保険者番号：06139992
保険者名：うけみ健康保険組合
記号：１２
番号：３４５
枝番：00
本人・家族の別：本人
資格取得年月日：令和2年4月1日
有効開始日：令和2年4月1日
有効終了日：
一部負担金割合：3割
住所：〒163-8001 東京都新宿区西新宿2-8-1
確認日：令和6年10月1日
";

    #[test]
    fn a_full_text_reads_every_field_into_a_result() {
        let t = parse(FULL, d("2026-11-30"));
        assert!(t.unread.is_empty(), "{:?}", t.unread);
        assert!(t.errors.is_empty(), "{:?}", t.errors);
        let r = t.result.expect("result");
        assert_eq!(r.checked_on, d("2024-10-01"));
        assert_eq!(r.reference, ReferenceKind::Imported);
        let q = &r.qualifications[0];
        assert_eq!(q.name, "山田　一郎");
        assert_eq!(q.name_kana, "ヤマダ　イチロウ");
        assert_eq!(q.birthdate, d("1980-05-05"));
        assert_eq!(q.sex, Sex::Male);
        assert_eq!(
            (
                q.insurer_number.as_str(),
                q.symbol.as_deref(),
                q.number.as_str(),
                q.branch.as_deref()
            ),
            ("06139992", Some("12"), "345", Some("00"))
        );
        assert_eq!(q.personal_family, PersonalFamily::Insured);
        assert_eq!(q.valid_from, Some(d("2020-04-01")));
        assert_eq!(q.valid_until, None);
        assert_eq!(q.contribution_percent, Some(30));
        assert_eq!(q.address.as_deref(), Some("東京都新宿区西新宿2-8-1"));
        assert_eq!(q.postal_code.as_deref(), Some("163-8001"));
    }

    #[test]
    fn half_width_kana_and_colons_and_values_on_the_next_line_are_read() {
        let text = "ｼﾒｲ:山田 花子\nﾌﾘｶﾞﾅ:ﾔﾏﾀﾞ ﾊﾅｺ\n生年月日\nH2.3.4\n性別 : 女\n保険者番号:138057\n記号番号:ア12・3456\n本人･家族:家族\n被保険者氏名:山田 一郎\n負担割合:30%\n住所:東京都千代田区千代田1-1";
        let t = parse(text, d("2026-11-30"));
        // 「ｼﾒｲ」 is not a label the app uses: named, not guessed as the name.
        assert_eq!(t.unread, vec!["ｼﾒｲ:山田 花子".to_string()]);
        assert_eq!(t.missing, vec![Field::Name]);
        assert!(t.result.is_none());
        let t = parse(&text.replace("ｼﾒｲ", "氏名"), d("2026-11-30"));
        let q = t.result.expect("result").qualifications[0].clone();
        assert_eq!(q.name_kana, "ヤマダ　ハナコ");
        assert_eq!(q.birthdate, d("1990-03-04"));
        assert_eq!(q.sex, Sex::Female);
        assert_eq!(
            (q.symbol.as_deref(), q.number.as_str()),
            (Some("ア12"), "3456")
        );
        assert_eq!(q.personal_family, PersonalFamily::Dependent);
        assert_eq!(q.insured_name.as_deref(), Some("山田 一郎"));
        assert_eq!(q.contribution_percent, Some(30));
    }

    #[test]
    fn a_text_with_a_missing_line_says_which_and_gives_no_result() {
        let text = FULL.replace("番号：３４５\n", "");
        let t = parse(&text, d("2026-11-30"));
        assert!(t.result.is_none());
        assert_eq!(t.missing, vec![Field::Number]);
        // Everything else was still read, for the page to show.
        assert!(t
            .read
            .iter()
            .any(|(f, v)| *f == Field::Name && v == "山田　一郎"));
    }

    #[test]
    fn bad_values_are_named_not_guessed() {
        let text = FULL
            .replace("06139992", "06139993")
            .replace("昭和55年5月5日", "昭和55年2月30日")
            .replace("3割", "四割");
        let t = parse(&text, d("2026-11-30"));
        assert!(t.result.is_none());
        let fields: Vec<Field> = t.errors.iter().map(|(f, _, _)| *f).collect();
        assert_eq!(
            fields,
            vec![Field::InsurerNumber, Field::Birth, Field::Ratio]
        );
        assert!(t.missing.is_empty());
    }
}
