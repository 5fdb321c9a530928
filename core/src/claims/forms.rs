//! The 申請書 and 総括票 as data: what goes in which box, already formatted (和暦, full-width
//! カナ). The web app prints these and the CLI exports them; neither re-derives a value.
//! Box positions come from the official PDFs and live with the printer, not here.

use super::claim::MonthlyClaim;
use super::model::{Case, ClaimInput, ClaimMonth, Discipline, PatientSex};
use super::tariff::Schedule;
use crate::date::Date;
use crate::eligibility::PersonalFamily;
use crate::text::to_fullwidth_kana;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    pub key: String,
    pub label: String,
    pub value: String,
}

/// A titled block of the form: single fields and/or a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSection {
    pub key: String,
    pub title: String,
    pub fields: Vec<FormField>,
    pub rows: Vec<Vec<FormField>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormModel {
    /// `様式第5号`, `様式第6号`, `様式第6号の2`.
    pub form_id: String,
    pub title: String,
    /// `令和6年10月分`.
    pub month_ja: String,
    pub sections: Vec<FormSection>,
    /// Boxes whose amount needs 要確認 (unverified tariff entries or typed amounts).
    pub needs_review: Vec<String>,
}

fn f(key: &str, label: &str, value: impl Into<String>) -> FormField {
    FormField {
        key: key.to_string(),
        label: label.to_string(),
        value: value.into(),
    }
}

fn section(key: &str, title: &str, fields: Vec<FormField>) -> FormSection {
    FormSection {
        key: key.to_string(),
        title: title.to_string(),
        fields,
        rows: Vec::new(),
    }
}

fn wareki(d: Option<Date>) -> String {
    d.map(Date::wareki).unwrap_or_default()
}

fn days_list(dates: &[Date]) -> String {
    dates
        .iter()
        .map(|d| d.day().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The 申請書 of one case and month.
pub fn claim_form(input: &ClaimInput, claim: &MonthlyClaim) -> FormModel {
    let (form_id, title) = match claim.discipline {
        Discipline::Judo => ("様式第5号", "柔道整復施術療養費支給申請書"),
        Discipline::Acupuncture => ("様式第6号", "療養費支給申請書（はり・きゅう用）"),
        Discipline::Massage => ("様式第6号の2", "療養費支給申請書（あんま・マッサージ用）"),
    };
    let mut sections = vec![header(input), patient(input)];
    sections.push(match &input.case {
        Case::Judo(_) => injuries(input, claim),
        Case::Acupuncture(c) => {
            let mut names: Vec<String> = c.diseases.iter().map(|d| d.label_ja().into()).collect();
            if let Some(o) = &c.other_disease {
                names.push(o.clone());
            }
            ahaki_case(
                names.join("・"),
                &c.symptoms,
                c.first_visit_date,
                c.consent.as_ref(),
                c.outcome.as_ref(),
                claim,
            )
        }
        Case::Massage(c) => ahaki_case(
            String::new(),
            &c.symptoms,
            c.first_visit_date,
            c.consent.as_ref(),
            c.outcome.as_ref(),
            claim,
        ),
    });
    sections.push(amounts(claim));
    sections.push(totals(claim));
    sections.push(remarks(input, claim));
    sections.push(certification(input));
    let mut needs_review: Vec<String> = claim
        .lines
        .iter()
        .filter(|l| !l.verified)
        .map(|l| l.label_ja.clone())
        .collect();
    needs_review.dedup();
    FormModel {
        form_id: form_id.into(),
        title: title.into(),
        month_ja: format!("{}分", claim.month.wareki()),
        sections,
        needs_review,
    }
}

fn header(input: &ClaimInput) -> FormSection {
    let ins = &input.insurance;
    let kind = ins.kind();
    let mut number = if ins.symbol.trim().is_empty() {
        ins.number.trim().to_string()
    } else {
        // "記号と番号の間にスペース「・」又は「―」を挿入".
        format!("{}・{}", ins.symbol.trim(), ins.number.trim())
    };
    if let Some(b) = ins.branch.as_deref().filter(|b| !b.trim().is_empty()) {
        number = format!("{number}（枝番 {}）", b.trim());
    }
    let mut fields = vec![
        f(
            "prefecture_code",
            "都道府県番号",
            input.clinic.prefecture_code.clone(),
        ),
        f("insurer_number", "保険者番号", ins.insurer_number.trim()),
        f(
            "insurance_kind",
            "保険種別",
            kind.form_code()
                .map(|c| format!("{c} {}", kind.label_ja()))
                .unwrap_or_else(|| kind.label_ja().to_string()),
        ),
        f(
            "single_combined",
            "単併区分",
            if input.public_funds.is_empty() {
                "単独"
            } else {
                "併用"
            },
        ),
        f("symbol_number", "記号・番号", number),
        f(
            "insured_or_family",
            "本人・家族",
            match ins.person {
                PersonalFamily::Insured => "本人",
                PersonalFamily::Dependent => "家族",
            },
        ),
        f(
            "benefit_rate",
            "給付割合",
            format!("{}割", (100u8.saturating_sub(ins.copay_percent)) / 10),
        ),
    ];
    if ins.elderly_recipient {
        fields.push(f("elderly", "高齢受給者", "該当"));
    }
    for (i, p) in input.public_funds.iter().take(2).enumerate() {
        let n = i + 1;
        fields.push(f(
            &format!("public_payer_{n}"),
            &format!("公費負担者番号{n}"),
            p.payer_number.trim(),
        ));
        fields.push(f(
            &format!("public_recipient_{n}"),
            &format!("公費受給者番号{n}"),
            p.recipient_number.trim(),
        ));
    }
    section("header", "保険者・被保険者", fields)
}

fn patient(input: &ClaimInput) -> FormSection {
    let ins = &input.insurance;
    let p = &input.patient;
    section(
        "patient",
        "被保険者・患者",
        vec![
            f("holder_name", "被保険者氏名", ins.holder_name.clone()),
            f(
                "holder_address",
                "被保険者の住所",
                ins.holder_address.clone(),
            ),
            f("patient_name", "患者氏名", p.name.clone()),
            f("patient_kana", "フリガナ", to_fullwidth_kana(&p.name_kana)),
            f("birth_date", "生年月日", p.birth_date.wareki()),
            f(
                "sex",
                "性別",
                match p.sex {
                    PatientSex::Male => "男",
                    PatientSex::Female => "女",
                },
            ),
            f(
                "relationship",
                "続柄",
                p.relationship.clone().unwrap_or_default(),
            ),
        ],
    )
}

fn injuries(input: &ClaimInput, claim: &MonthlyClaim) -> FormSection {
    let mut s = section(
        "injuries",
        "負傷名等",
        vec![
            f("visit_days", "施術日", days_list(&claim.visit_dates)),
            f("actual_days", "実日数", claim.visit_dates.len().to_string()),
        ],
    );
    let Case::Judo(c) = &input.case else {
        return s;
    };
    if let Some(dc) = &c.doctor_consent {
        s.fields.push(f(
            "doctor_consent",
            "医師の同意",
            format!("{} {} {}", dc.date.wareki(), dc.clinic, dc.doctor),
        ));
    }
    for (i, inj) in c.injuries.iter().enumerate() {
        let dates: Vec<Date> = claim
            .lines
            .iter()
            .filter(|l| l.injury == Some(i))
            .map(|l| l.date)
            .collect();
        let start = dates.iter().min().copied();
        let end = dates.iter().max().copied();
        let mut days = dates.clone();
        days.dedup();
        s.rows.push(vec![
            f("name", "負傷名", inj.name_ja()),
            f("injury_date", "負傷年月日", inj.injury_date.wareki()),
            f(
                "first_visit_date",
                "初検年月日",
                c.first_visit_date.wareki(),
            ),
            f("start", "施術開始年月日", wareki(start)),
            f("end", "施術終了年月日", wareki(end)),
            f("days", "実日数", days.len().to_string()),
            f(
                "outcome",
                "転帰",
                inj.outcome
                    .as_ref()
                    .filter(|o| ClaimMonth::of(o.date) == claim.month)
                    .map(|o| o.kind.label_ja())
                    .unwrap_or("継続"),
            ),
            f("cause", "負傷の原因", inj.cause.clone().unwrap_or_default()),
        ]);
    }
    s
}

fn ahaki_case(
    disease: String,
    symptoms: &str,
    first_visit: Date,
    consent: Option<&super::model::Consent>,
    outcome: Option<&super::model::Outcome>,
    claim: &MonthlyClaim,
) -> FormSection {
    let mut fields = Vec::new();
    if !disease.is_empty() {
        fields.push(f("disease", "傷病名", disease));
    }
    fields.extend([
        f("symptoms", "症状名", symptoms),
        f("first_visit_date", "初療年月日", first_visit.wareki()),
        f(
            "consent",
            "同意年月日・同意医師",
            consent
                .map(|c| format!("{} {} {}", c.date.wareki(), c.clinic, c.doctor))
                .unwrap_or_default(),
        ),
        f(
            "consent_until",
            "同意期間",
            consent
                .map(|c| format!("{}まで", c.valid_until.wareki()))
                .unwrap_or_default(),
        ),
        f("visit_days", "施術日", days_list(&claim.visit_dates)),
        f("actual_days", "実日数", claim.visit_dates.len().to_string()),
        f(
            "outcome",
            "転帰",
            outcome
                .filter(|o| ClaimMonth::of(o.date) == claim.month)
                .map(|o| o.kind.label_ja())
                .unwrap_or("継続"),
        ),
    ]);
    section("case", "傷病・同意", fields)
}

/// 部位, item code, unit price, 多部位 and 長期 rates.
type RowKey = (Option<usize>, String, u32, u32, u32);
/// Label, 回数, 金額, all verified.
type RowSum = (String, u32, u32, bool);

/// One row per item, 部位 and rate: the 回数 × 単価 the form prints.
fn amounts(claim: &MonthlyClaim) -> FormSection {
    let mut grouped: BTreeMap<RowKey, RowSum> = BTreeMap::new();
    for l in &claim.lines {
        let key = (
            l.injury,
            l.code.clone(),
            l.unit_yen,
            l.multi_part_percent,
            l.long_term_percent,
        );
        let e = grouped
            .entry(key)
            .or_insert((l.label_ja.clone(), 0, 0, true));
        e.1 = e.1.saturating_add(l.count);
        e.2 = e.2.saturating_add(l.amount_yen);
        e.3 &= l.verified;
    }
    let mut s = section("amounts", "施術内容・金額", Vec::new());
    for ((injury, code, unit, mp, lt), (label, count, amount, verified)) in grouped {
        let mut rate = Vec::new();
        if mp != 100 {
            rate.push(format!("多部位{mp}%"));
        }
        if lt != 100 {
            rate.push(format!("長期{lt}%"));
        }
        s.rows.push(vec![
            f(
                "part",
                "部位",
                injury.map(|i| (i + 1).to_string()).unwrap_or_default(),
            ),
            f("code", "項目コード", code),
            f("label", "項目", label),
            f("unit", "単価", unit.to_string()),
            f("count", "回数", count.to_string()),
            f("rate", "逓減", rate.join(" ")),
            f("amount", "金額", amount.to_string()),
            f("review", "要確認", if verified { "" } else { "要確認" }),
        ]);
    }
    s
}

fn totals(claim: &MonthlyClaim) -> FormSection {
    let mut fields = vec![
        f("total", "合計", claim.total_yen.to_string()),
        f("copay", "一部負担金", claim.copay_yen.to_string()),
        f("billed", "請求金額", claim.billed_yen.to_string()),
    ];
    if let Some(p) = &claim.public {
        fields.push(f(
            "public_copay",
            "一部負担金相当額（公費）",
            p.patient_pays_yen.to_string(),
        ));
        fields.push(f(
            "public_billed",
            "公費請求額",
            p.public_billed_yen.to_string(),
        ));
    }
    // The second 公費's 請求額 has no box of its own on the forms: it goes to 摘要.
    if let Some(p) = &claim.public2 {
        fields.push(f(
            "public_billed_2",
            "公費②請求額",
            p.public_billed_yen.to_string(),
        ));
    }
    section("totals", "合計", fields)
}

fn remarks(input: &ClaimInput, claim: &MonthlyClaim) -> FormSection {
    let mut fields = Vec::new();
    if let Case::Judo(c) = &input.case {
        if claim.long_term {
            fields.push(f(
                "long_term_reason",
                "長期理由",
                c.long_term_reason.clone().unwrap_or_default(),
            ));
        }
        if claim.long_term_frequent {
            fields.push(f(
                "long_term_frequent_reason",
                "長期頻回理由",
                c.long_term_frequent_reason.clone().unwrap_or_default(),
            ));
        }
    }
    section("remarks", "摘要", fields)
}

fn certification(input: &ClaimInput) -> FormSection {
    let c = &input.clinic;
    let mut fields = vec![
        f("clinic_name", "施術所名", c.name.clone()),
        f("clinic_address", "施術所所在地", c.address.clone()),
        f("manager", "施術管理者", c.manager_name.clone()),
        f(
            "registration_number",
            "登録記号番号",
            c.registration_number.clone(),
        ),
    ];
    for (i, p) in input.practitioners.iter().enumerate() {
        fields.push(f(
            &format!("practitioner_{}", i + 1),
            "施術者",
            format!("{} {}", p.name, p.registration_number)
                .trim()
                .to_string(),
        ));
    }
    section("certification", "施術証明欄", fields)
}

/// 総括票: (Ⅰ) overall, (Ⅱ) per 保険者.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryForm {
    pub form_id: String,
    pub title: String,
    pub month_ja: String,
    pub schedule: Schedule,
    /// None for the overall 総括票(Ⅰ).
    pub insurer_number: Option<String>,
    pub claim_count: u32,
    pub actual_days: u32,
    pub total_yen: u64,
    pub copay_yen: u64,
    pub billed_yen: u64,
    pub public_billed_yen: u64,
}

/// 総括票 for a batch: per month and schedule, the overall one first, then one per 保険者
/// in 保険者番号 order ("stacks ordered by 保険者番号, 総括票(Ⅰ) on top of everything").
/// はり・きゅう and マッサージ share the あはき 総括票 ([U] docs/claims.md).
pub fn summaries(claims: &[MonthlyClaim]) -> Vec<SummaryForm> {
    type Key = (ClaimMonth, u8, Option<String>);
    let mut acc: BTreeMap<Key, SummaryForm> = BTreeMap::new();
    for c in claims {
        let schedule = Schedule::of(c.discipline);
        let s = match schedule {
            Schedule::Judo => 0,
            Schedule::Ahaki => 1,
        };
        for insurer in [None, Some(c.insurer_number.clone())] {
            let (form_id, title) = match (schedule, insurer.is_some()) {
                (Schedule::Judo, false) => ("様式第6号", "支給申請総括票（Ⅰ）"),
                (Schedule::Judo, true) => ("様式第7号", "支給申請総括票（Ⅱ）"),
                (Schedule::Ahaki, false) => ("様式第8号", "療養費支給申請総括票（Ⅰ）"),
                (Schedule::Ahaki, true) => ("様式第9号", "療養費支給申請総括票（Ⅱ）"),
            };
            let e = acc
                .entry((c.month, s, insurer.clone()))
                .or_insert_with(|| SummaryForm {
                    form_id: form_id.into(),
                    title: title.into(),
                    month_ja: format!("{}分", c.month.wareki()),
                    schedule,
                    insurer_number: insurer,
                    claim_count: 0,
                    actual_days: 0,
                    total_yen: 0,
                    copay_yen: 0,
                    billed_yen: 0,
                    public_billed_yen: 0,
                });
            e.claim_count = e.claim_count.saturating_add(1);
            e.actual_days = e
                .actual_days
                .saturating_add(u32::try_from(c.visit_dates.len()).unwrap_or(u32::MAX));
            e.total_yen += u64::from(c.total_yen);
            e.copay_yen += u64::from(c.copay_yen);
            e.billed_yen += u64::from(c.billed_yen);
            e.public_billed_yen += c
                .public
                .iter()
                .chain(c.public2.iter())
                .map(|p| u64::from(p.public_billed_yen))
                .sum::<u64>();
        }
    }
    acc.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::compute;

    const FIXTURE: &str = include_str!("../../../tests/fixtures/claims/judo_sprain_3parts.json");

    fn value<'a>(form: &'a FormModel, key: &str) -> Option<&'a str> {
        form.sections
            .iter()
            .flat_map(|s| s.fields.iter())
            .find(|f| f.key == key)
            .map(|f| f.value.as_str())
    }

    /// "記号と番号の間にスペース「・」又は「―」を挿入"; dates in 和暦; full-width カナ.
    #[test]
    fn judo_form_fields() {
        let input: ClaimInput = serde_json::from_str(FIXTURE).expect("fixture parses");
        let claims = compute(&input).expect("computes");
        let form = claim_form(&input, &claims[0]);
        assert_eq!(form.form_id, "様式第5号");
        assert_eq!(form.month_ja, "令和6年10月分");
        assert_eq!(value(&form, "symbol_number"), Some("12・345（枝番 00）"));
        assert_eq!(value(&form, "patient_kana"), Some("ヤマダ　イチロウ"));
        assert_eq!(value(&form, "birth_date"), Some("昭和55年5月5日"));
        assert_eq!(value(&form, "insurance_kind"), Some("2 組合健保"));
        assert_eq!(
            value(&form, "total"),
            Some(claims[0].total_yen.to_string().as_str())
        );
        let injuries = form
            .sections
            .iter()
            .find(|s| s.key == "injuries")
            .expect("section");
        assert_eq!(injuries.rows.len(), 3);
        assert_eq!(injuries.rows[0][0].value, "右足関節捻挫");
    }

    /// "総括票(Ⅱ) (per 保険者) … stacks ordered by 保険者番号, 総括票(Ⅰ) on top".
    #[test]
    fn summaries_overall_then_per_insurer() {
        let input: ClaimInput = serde_json::from_str(FIXTURE).expect("fixture parses");
        let mut a = compute(&input).expect("computes").remove(0);
        let mut b = a.clone();
        b.insurer_number = "01130012".into();
        a.total_yen = 1000;
        b.total_yen = 500;
        let s = summaries(&[a, b]);
        assert_eq!(s.len(), 3);
        assert_eq!(
            (s[0].insurer_number.as_deref(), s[0].total_yen),
            (None, 1500)
        );
        assert_eq!(s[0].form_id, "様式第6号");
        assert_eq!(s[1].insurer_number.as_deref(), Some("01130012"));
        assert_eq!(s[2].insurer_number.as_deref(), Some("06139992"));
        assert_eq!(s[2].form_id, "様式第7号");
    }
}
