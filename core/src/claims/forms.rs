//! The 申請書 and 総括票 as data: what goes in which box, already formatted (和暦, full-width
//! カナ). The web app prints these and the CLI exports them; neither re-derives a value.
//! Box positions come from the official PDFs and live with the printer, not here.

use super::checks;
use super::claim::MonthlyClaim;
use super::judo::{treated_injuries, InjuryHistory};
use super::model::{Case, ClaimInput, ClaimMonth, Discipline, JudoCase, PatientSex, Visit};
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
    let listed = match &input.case {
        Case::Judo(c) => judo_rows(c, &input.visits, claim),
        _ => Vec::new(),
    };
    sections.push(match &input.case {
        Case::Judo(c) => injuries(c, &listed, claim),
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
    sections.push(amounts(claim, &listed, &input.visits));
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

/// One 負傷 as the month's form lists it.
struct InjuryRow {
    index: usize,
    /// Its own 初検日: the first day it was treated in the case (docs/claims.md Decisions).
    first_day: Option<Date>,
    /// The month's days it was treated, whether or not a fee of its own was billed that day
    /// (a 4部位目's 後療 is included in the others' fees, yet it was treated).
    days: Vec<Date>,
}

/// The 負傷 the month's form lists, in the case's order: those treated in the month, and
/// one whose 転帰 falls in the month (the 転帰 must be reported on that month's form). A 負傷
/// ended before the month, or not yet treated, is not on it.
fn judo_rows(case: &JudoCase, visits: &[Visit], claim: &MonthlyClaim) -> Vec<InjuryRow> {
    // The same history the engine reads.
    let (history, _) = super::one_per_day(visits);
    let hist = InjuryHistory::of(case, &history);
    (0..case.injuries.len())
        .filter_map(|i| {
            let days: Vec<Date> = history
                .iter()
                .filter(|v| ClaimMonth::of(v.date) == claim.month)
                // Only days the claim billed, so no row counts a day the claim does not.
                .filter(|v| claim.visit_dates.contains(&v.date))
                .filter(|v| treated_injuries(case, v).contains(&i))
                .map(|v| v.date)
                .collect();
            let first_day = hist.first_day.get(i).copied().flatten();
            let ends_here = case.injuries[i]
                .outcome
                .as_ref()
                .is_some_and(|o| ClaimMonth::of(o.date) == claim.month)
                && first_day.is_some_and(|f| ClaimMonth::of(f) <= claim.month);
            (!days.is_empty() || ends_here).then_some(InjuryRow {
                index: i,
                first_day,
                days,
            })
        })
        .collect()
}

fn injuries(c: &JudoCase, listed: &[InjuryRow], claim: &MonthlyClaim) -> FormSection {
    let mut s = section(
        "injuries",
        "負傷名等",
        vec![
            f("visit_days", "施術日", days_list(&claim.visit_dates)),
            f("actual_days", "実日数", claim.visit_dates.len().to_string()),
        ],
    );
    if let Some(dc) = &c.doctor_consent {
        s.fields.push(f(
            "doctor_consent",
            "医師の同意",
            format!("{} {} {}", dc.date.wareki(), dc.clinic, dc.doctor),
        ));
    }
    for r in listed {
        let Some(inj) = c.injuries.get(r.index) else {
            continue;
        };
        s.rows.push(vec![
            f("name", "負傷名", inj.name_ja()),
            f("injury_date", "負傷年月日", inj.injury_date.wareki()),
            f(
                "first_visit_date",
                "初検年月日",
                wareki(r.first_day.or(Some(c.first_visit_date))),
            ),
            f("start", "施術開始年月日", wareki(r.days.first().copied())),
            f("end", "施術終了年月日", wareki(r.days.last().copied())),
            f("days", "実日数", r.days.len().to_string()),
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

/// 部位, item code, unit price, 多部位 and 長期 rates, and the quantity a day for the items
/// priced per 局所 or per 肢.
type RowKey = (Option<usize>, String, u32, u32, u32, u32);
/// Label, 回数, 金額, all verified.
type RowSum = (String, u32, u32, bool);

/// マッサージ and 変形徒手矯正術 are priced "1局所につき" / "1肢につき"; the form asks how many
/// 局所 (肢) each 施術 had and how many times, so their rows go per quantity a day.
fn per_day_quantity(code: &str) -> Option<&'static str> {
    match code {
        "massage_local" => Some("局所"),
        "massage_deformity" => Some("肢"),
        _ => None,
    }
}

/// One row per item, 部位 and rate: the 回数 × 単価 the form prints. 部位 is the 負傷's
/// number among the rows the form lists (1, 2, 3 …), as the 負傷名 are numbered.
fn amounts(claim: &MonthlyClaim, listed: &[InjuryRow], visits: &[Visit]) -> FormSection {
    let mut grouped: BTreeMap<RowKey, RowSum> = BTreeMap::new();
    for l in &claim.lines {
        let quantity = per_day_quantity(&l.code);
        let key = (
            l.injury,
            l.code.clone(),
            l.unit_yen,
            l.multi_part_percent,
            l.long_term_percent,
            quantity.map_or(0, |_| l.count),
        );
        let label = match quantity {
            // The tariff names the item per one ("マッサージ（1局所）"): say this row's number.
            Some(unit) => {
                let name = l
                    .label_ja
                    .strip_suffix(&format!("（1{unit}）"))
                    .unwrap_or(&l.label_ja);
                format!("{name}（{}{unit}）", l.count)
            }
            None => l.label_ja.clone(),
        };
        let e = grouped.entry(key).or_insert((label, 0, 0, true));
        // A per-局所 line is one 施術 of that many 局所: one time.
        e.1 =
            e.1.saturating_add(if quantity.is_some() { 1 } else { l.count });
        e.2 = e.2.saturating_add(l.amount_yen);
        e.3 &= l.verified;
    }
    let mut s = section("amounts", "施術内容・金額", Vec::new());
    for ((injury, code, unit, mp, lt, quantity), (label, count, amount, verified)) in grouped {
        let mut rate = Vec::new();
        if mp != 100 {
            rate.push(format!("多部位{mp}%"));
        }
        if lt != 100 {
            rate.push(format!("長期{lt}%"));
        }
        let unit = if quantity > 0 {
            unit.saturating_mul(quantity)
        } else {
            unit
        };
        let part = injury.map(|i| {
            listed
                .iter()
                .position(|r| r.index == i)
                .map_or(i + 1, |p| p + 1)
        });
        s.rows.push(vec![
            f(
                "part",
                "部位",
                part.map(|p| p.to_string()).unwrap_or_default(),
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
    let distances = outreach_distances(claim, visits);
    if !distances.is_empty() {
        s.fields.push(f("outreach_distance", "往療距離", distances));
    }
    let reasons = outreach_reasons(claim, visits);
    if !reasons.is_empty() {
        s.fields.push(f("outreach_reason", "往療理由", reasons));
    }
    s
}

/// The visit of each day an 往療料 was billed.
fn outreach_visits<'v>(claim: &MonthlyClaim, visits: &'v [Visit]) -> Vec<(Date, &'v Visit)> {
    checks::outreach_days(&claim.lines)
        .into_iter()
        .filter_map(|d| visits.iter().find(|v| v.date == d).map(|v| (d, v)))
        .collect()
}

/// The 往療 box's 距離 (片道, straight line), per day an 往療料 was billed: "2日 3km, 9日 5km".
/// The amount depends on it (4km超, 16km超), so the insurer reads it off the form.
fn outreach_distances(claim: &MonthlyClaim, visits: &[Visit]) -> String {
    outreach_visits(claim, visits)
        .into_iter()
        .filter_map(|(d, v)| Some(format!("{}日 {}km", d.day(), v.mode.distance_km()?)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The 往療理由 beside the 距離, for the days an 往療料 was billed: once when every such day
/// has the same reason ("歩行困難（左足関節脱臼）"), else per day with one
/// ("2日 歩行困難／9日 発熱で起き上がれない"). A day without one is left out here and named by
/// the `outreach_reason_missing` warning.
fn outreach_reasons(claim: &MonthlyClaim, visits: &[Visit]) -> String {
    let days = outreach_visits(claim, visits);
    let reasons: Vec<(Date, &str)> = days
        .iter()
        .filter_map(|(d, v)| Some((*d, v.outreach_reason()?)))
        .collect();
    match reasons.first() {
        Some((_, first))
            if reasons.len() == days.len() && reasons.iter().all(|(_, r)| r == first) =>
        {
            (*first).to_string()
        }
        _ => reasons
            .iter()
            .map(|(d, r)| format!("{}日 {r}", d.day()))
            .collect::<Vec<_>>()
            .join("／"),
    }
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
    summarize(claims, |c| c.month)
}

/// 総括票 of one batch (the 請求 sent with `batch`'s claims): every claim in it is counted
/// under `batch`, a 月遅れ or 再請求 of an earlier 施術年月 included — "月遅れ・再提出分 are
/// bundled into the current month" (docs/claims.md "Forms"). Each 申請書 keeps its own
/// 施術年月.
pub fn batch_summaries(batch: ClaimMonth, claims: &[MonthlyClaim]) -> Vec<SummaryForm> {
    summarize(claims, |_| batch)
}

/// One sheet of a batch as it is bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sheet {
    Summary(SummaryForm),
    /// The 申請書 of `claims[i]`.
    Claim(usize),
}

/// The batch in binding order: per schedule, 総括票(Ⅰ) on top, then for each 保険者 in
/// 保険者番号 order its 総括票(Ⅱ) followed by its 申請書 (in the order given) — "申請書
/// grouped per 保険者 with 総括票(Ⅱ) on top, stacks ordered by 保険者番号, 総括票(Ⅰ) on top of
/// everything" (docs/claims.md "Forms"). A printer that follows it needs no sorting of its own.
pub fn binding_order(batch: ClaimMonth, claims: &[MonthlyClaim]) -> Vec<Sheet> {
    let mut out = Vec::new();
    for s in batch_summaries(batch, claims) {
        let stack = s.insurer_number.clone().map(|n| (s.schedule, n));
        out.push(Sheet::Summary(s));
        if let Some((schedule, insurer)) = stack {
            out.extend(
                claims
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        Schedule::of(c.discipline) == schedule && c.insurer_number == insurer
                    })
                    .map(|(i, _)| Sheet::Claim(i)),
            );
        }
    }
    out
}

fn summarize(
    claims: &[MonthlyClaim],
    month_of: impl Fn(&MonthlyClaim) -> ClaimMonth,
) -> Vec<SummaryForm> {
    type Key = (ClaimMonth, u8, Option<String>);
    let mut acc: BTreeMap<Key, SummaryForm> = BTreeMap::new();
    for c in claims {
        let month = month_of(c);
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
                .entry((month, s, insurer.clone()))
                .or_insert_with(|| SummaryForm {
                    form_id: form_id.into(),
                    title: title.into(),
                    month_ja: format!("{}分", month.wareki()),
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

    /// The fixture with 10/2 and 10/7 made house calls (3 km and 5 km) with these reasons.
    fn house_calls(second: Option<&str>, seventh: Option<&str>) -> (ClaimInput, FormModel) {
        let mut input: ClaimInput = serde_json::from_str(FIXTURE).expect("fixture parses");
        for (v, km, reason) in [(1, 3.0, second), (3, 5.0, seventh)] {
            input.visits[v].mode = crate::claims::VisitMode::Call { distance_km: km };
            input.visits[v].outreach_reason = reason.map(str::to_string);
        }
        let claims = compute(&input).expect("computes");
        let form = claim_form(&input, &claims[0]);
        (input, form)
    }

    /// 往療理由 is one of the 往療 fields of 様式第5号 (reference 1.1): written once beside
    /// the 距離 when every 往療 of the month has the same reason, else per day.
    #[test]
    fn the_outreach_reason_is_printed_beside_the_distance() {
        let reason = "歩行困難（左足関節脱臼）";
        let (_, form) = house_calls(Some(reason), Some(&format!(" {reason} ")));
        assert_eq!(value(&form, "outreach_distance"), Some("2日 3km, 7日 5km"));
        assert_eq!(value(&form, "outreach_reason"), Some(reason));
        let amounts = form
            .sections
            .iter()
            .find(|s| s.key == "amounts")
            .expect("section");
        let keys: Vec<&str> = amounts.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["outreach_distance", "outreach_reason"]);
        assert_eq!(amounts.fields[1].label, "往療理由");

        let (_, form) = house_calls(Some("歩行困難"), Some("発熱で起き上がれない"));
        assert_eq!(
            value(&form, "outreach_reason"),
            Some("2日 歩行困難／7日 発熱で起き上がれない")
        );
        // One day without a reason: the other keeps its day, the blank one is left out.
        let (_, form) = house_calls(None, Some("歩行困難"));
        assert_eq!(value(&form, "outreach_reason"), Some("7日 歩行困難"));
        let (_, form) = house_calls(Some("  "), None);
        assert_eq!(value(&form, "outreach_reason"), None);
    }

    /// はり・きゅう (様式第6号): the sudden call's reason is printed the same way; the planned
    /// visits (訪問施術料, no 往療料) add nothing to it.
    #[test]
    fn an_acupuncture_call_prints_its_reason() {
        let input: ClaimInput = serde_json::from_str(include_str!(
            "../../../tests/fixtures/claims/acupuncture_home_visit.json"
        ))
        .expect("fixture parses");
        let claims = compute(&input).expect("computes");
        assert!(
            !claims[0]
                .findings
                .iter()
                .any(|f| f.code == "outreach_reason_missing"),
            "{:?}",
            claims[0].findings
        );
        let form = claim_form(&input, &claims[0]);
        assert_eq!(form.form_id, "様式第6号");
        assert_eq!(value(&form, "outreach_distance"), Some("16日 5km"));
        assert_eq!(
            value(&form, "outreach_reason"),
            Some("腰痛の急な増悪で歩行困難")
        );
    }

    /// A reason typed on a clinic day (the mode changed back) prints nothing: the 往療 box
    /// speaks only of the days an 往療料 was billed.
    #[test]
    fn a_reason_on_a_clinic_day_is_not_printed() {
        let mut input: ClaimInput = serde_json::from_str(FIXTURE).expect("fixture parses");
        input.visits[1].outreach_reason = Some("歩行困難".into());
        let claims = compute(&input).expect("computes");
        let form = claim_form(&input, &claims[0]);
        assert_eq!(value(&form, "outreach_reason"), None);
        assert_eq!(value(&form, "outreach_distance"), None);
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
