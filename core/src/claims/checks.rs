//! Claim checks: what would make an insurer return the 申請書 (返戻), as typed findings.

use super::claim::{ClaimLine, Finding};
use super::judo;
use super::model::{Case, ClaimInput, Clinic, Discipline, Visit, Warmth};
use crate::date::Date;
use crate::eligibility::validate_insurer_number;

/// Checks that do not depend on the month.
pub(crate) fn input_findings(input: &ClaimInput) -> Vec<Finding> {
    let mut out = clinic_findings(&input.clinic);
    let ins = &input.insurance;
    if let Err(e) = validate_insurer_number(&ins.insurer_number) {
        out.push(Finding::error(
            "insurer_number",
            "insurance.insurer_number",
            e.message_ja(),
            format!("Insurer number: {e:?}"),
        ));
    }
    if ins.holder_address.trim().is_empty() {
        out.push(Finding::error(
            "holder_address_missing",
            "insurance.holder_address",
            "被保険者の住所がありません。申請書に記入が必要です（オンライン資格確認の結果から取り込めます）。",
            "The insured person's address is missing; the claim form requires it (an online eligibility check can fill it in).",
        ));
    }
    if ins.number.trim().is_empty() {
        out.push(Finding::error(
            "insured_number_missing",
            "insurance.number",
            "被保険者証等の番号がありません。",
            "The insured person's number is missing.",
        ));
    }
    if !matches!(ins.copay_percent, 0 | 10 | 20 | 30) {
        out.push(Finding::error(
            "copay_percent",
            "insurance.copay_percent",
            format!(
                "負担割合は0・10・20・30（%）のいずれかです（入力: {}）。",
                ins.copay_percent
            ),
            format!(
                "The co-payment rate must be 0, 10, 20 or 30 (%) (given: {}).",
                ins.copay_percent
            ),
        ));
    }
    for (i, p) in input.public_funds.iter().enumerate() {
        if validate_insurer_number(&p.payer_number).is_err() {
            out.push(Finding::error(
                "public_payer_number",
                format!("public_funds[{i}].payer_number"),
                "公費負担者番号（8桁）の形式または検証番号が合いません。",
                "The public-fund payer number (8 digits) is malformed or its check digit does not match.",
            ));
        }
    }
    if let Case::Judo(c) = &input.case {
        if c.injuries.is_empty() {
            out.push(Finding::error(
                "no_injuries",
                "case.injuries",
                "負傷名が1つもありません。",
                "The case has no injury.",
            ));
        }
    }
    out
}

/// The 施術所's boxes every 申請書 prints (施術証明欄): (key under `clinic.`, Japanese
/// label, English label) of each one left blank. A form without them is returned.
pub fn clinic_missing(clinic: &Clinic) -> Vec<(&'static str, &'static str, &'static str)> {
    [
        ("name", "施術所名", "clinic name", &clinic.name),
        ("address", "所在地", "address", &clinic.address),
        (
            "manager_name",
            "施術管理者",
            "managing practitioner",
            &clinic.manager_name,
        ),
        (
            "registration_number",
            "登録記号番号",
            "registration number",
            &clinic.registration_number,
        ),
        (
            "prefecture_code",
            "都道府県番号",
            "prefecture code",
            &clinic.prefecture_code,
        ),
    ]
    .into_iter()
    .filter(|(.., v)| v.trim().is_empty())
    .map(|(k, ja, en, _)| (k, ja, en))
    .collect()
}

/// Whether a typed 都道府県番号 is one of 01 (北海道) … 47 (沖縄県).
pub fn prefecture_code_ok(code: &str) -> bool {
    let c = code.trim();
    c.len() == 2 && c.parse::<u8>().is_ok_and(|n| (1..=47).contains(&n))
}

/// The 施術所 as every form needs it: one error naming every blank box (fixed once, in 設定),
/// and one for a 都道府県番号 that is not 01–47.
pub fn clinic_findings(clinic: &Clinic) -> Vec<Finding> {
    let mut out = Vec::new();
    let missing = clinic_missing(clinic);
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|(_, ja, _)| *ja).collect();
        let names_en: Vec<&str> = missing.iter().map(|(.., en)| *en).collect();
        out.push(Finding::error(
            "clinic_missing",
            format!("clinic.{}", missing[0].0),
            format!(
                "施術所の情報（{}）が未入力です。申請書の施術証明欄に必要です。設定で入力してください。",
                names.join("・")
            ),
            format!(
                "The clinic's {} are missing: the form's certification box needs them. Enter them in Settings.",
                names_en.join(", ")
            ),
        ));
    }
    if !clinic.prefecture_code.trim().is_empty() && !prefecture_code_ok(&clinic.prefecture_code) {
        out.push(Finding::error(
            "clinic_prefecture_code",
            "clinic.prefecture_code",
            format!(
                "都道府県番号は01〜47の2桁です（入力: {}）。設定で直してください。",
                clinic.prefecture_code.trim()
            ),
            format!(
                "The prefecture code is two digits, 01–47 (typed: {}). Correct it in Settings.",
                clinic.prefecture_code.trim()
            ),
        ));
    }
    out
}

/// Checks for one month's visits (already sorted, duplicates removed).
pub(crate) fn month_findings(input: &ClaimInput, visits: &[&Visit]) -> Vec<Finding> {
    let mut out = Vec::new();
    let ins = &input.insurance;
    if ins.valid_from.is_none() && ins.valid_until.is_none() {
        out.push(Finding::warning(
            "eligibility_unknown",
            "insurance.valid_from",
            "資格の有効期間が入力されていません。資格確認の結果を取り込んでください。",
            "The insurance's validity period is unknown; take it from an eligibility check.",
        ));
    }
    let outside: Vec<Date> = visits
        .iter()
        .map(|v| v.date)
        .filter(|d| {
            ins.valid_from.is_some_and(|f| *d < f) || ins.valid_until.is_some_and(|u| *d > u)
        })
        .collect();
    out.extend(on_dates(
        Finding::error,
        "eligibility_invalid_on_visit",
        |d| format!("visits[{d}].date"),
        &outside,
        |ja| format!("{ja}は資格の有効期間外です。資格を確認してください。"),
        |en| format!("{en}: outside the insurance's validity period; check the eligibility."),
    ));
    foreign_field_findings(input.case.discipline(), visits, &mut out);
    match &input.case {
        Case::Judo(c) => judo_findings(c, visits, &mut out),
        Case::Acupuncture(c) => {
            consent_findings(&input.case, visits, &mut out);
            outcome_findings(c.outcome.as_ref().map(|o| o.date), visits, &mut out);
            if c.diseases.is_empty() {
                out.push(Finding::error(
                    "disease_missing",
                    "case.diseases",
                    "傷病名（神経痛・リウマチ・頸腕症候群・五十肩・腰痛症・頸椎捻挫後遺症等）を入力してください。",
                    "Enter the disease (neuralgia, rheumatism, cervicobrachial syndrome, frozen shoulder, lumbago, whiplash sequelae …).",
                ));
            }
            symptom_findings(&c.symptoms, visits, &mut out);
        }
        Case::Massage(c) => {
            consent_findings(&input.case, visits, &mut out);
            outcome_findings(c.outcome.as_ref().map(|o| o.date), visits, &mut out);
            symptom_findings(&c.symptoms, visits, &mut out);
        }
    }
    out
}

/// The visit fields of another discipline, set on this case's visits: `(key, Japanese,
/// English)` of each one that would have billed something there. None is billed here (a
/// 柔整 特別地域加算, or an あはき 初検 休日加算, is in none of our fee schedules), and the
/// clinic is told so instead of reading a claim that silently left it out (docs/claims.md,
/// audit5 E3, E12).
fn foreign_fields(
    discipline: Discipline,
    v: &Visit,
) -> Vec<(&'static str, &'static str, &'static str)> {
    let judo = discipline == Discipline::Judo;
    let acu = discipline == Discipline::Acupuncture;
    let massage = discipline == Discipline::Massage;
    let asked = [
        (
            !judo && !v.parts.is_empty(),
            "parts",
            "部位の施術（柔整）",
            "treated parts (judo)",
        ),
        (
            !judo && !v.metal_splint.is_empty(),
            "metal_splint",
            "金属副子等加算（柔整）",
            "metal splint addition (judo)",
        ),
        (
            !judo && v.exercise_aftercare,
            "exercise_aftercare",
            "柔道整復運動後療料（柔整）",
            "exercise after-care (judo)",
        ),
        (
            !judo && v.info_provision,
            "info_provision",
            "施術情報提供料（柔整）",
            "information provision fee (judo)",
        ),
        (
            !judo && v.first_visit_addon.is_some(),
            "first_visit_addon",
            "初検の時間外・休日・深夜加算（柔整）",
            "first-visit out-of-hours/holiday/late-night addition (judo)",
        ),
        (
            !judo && v.outreach_addon.is_some(),
            "outreach_addon",
            "往療の夜間・難路・暴風雨雪加算（柔整）",
            "night/difficult-road/storm house-call addition (judo)",
        ),
        (
            judo && v.special_area,
            "special_area",
            "特別地域加算（はり・きゅう・マッサージ）",
            "special-area addition (acupuncture, massage)",
        ),
        (
            judo && v.report_issued,
            "report_issued",
            "施術報告書交付料（はり・きゅう・マッサージ）",
            "treatment report fee (acupuncture, massage)",
        ),
        (
            !acu && v.techniques.is_some(),
            "techniques",
            "術数（はり・きゅう）",
            "techniques (acupuncture)",
        ),
        (
            !acu && v.electro,
            "electro",
            "電療料加算（はり・きゅう）",
            "electrotherapy addition (acupuncture)",
        ),
        (
            !massage && v.local_count > 0,
            "local_count",
            "局所数（マッサージ）",
            "massage areas (massage)",
        ),
        (
            !massage && v.warmth != Warmth::None,
            "warmth",
            "温罨法（マッサージ）",
            "warm compress (massage)",
        ),
        (
            !massage && v.deformity_limbs > 0,
            "deformity_limbs",
            "変形徒手矯正術（マッサージ）",
            "manual correction of deformity (massage)",
        ),
    ];
    asked
        .into_iter()
        .filter(|(set, ..)| *set)
        .map(|(_, key, ja, en)| (key, ja, en))
        .collect()
}

/// One warning per foreign field, listing its days.
fn foreign_field_findings(discipline: Discipline, visits: &[&Visit], out: &mut Vec<Finding>) {
    let mut by_field: Vec<(&'static str, &'static str, &'static str, Vec<Date>)> = Vec::new();
    for v in visits {
        for (key, ja, en) in foreign_fields(discipline, v) {
            match by_field.iter_mut().find(|(k, ..)| *k == key) {
                Some((.., days)) => days.push(v.date),
                None => by_field.push((key, ja, en, vec![v.date])),
            }
        }
    }
    let (case_ja, case_en) = match discipline {
        Discipline::Judo => ("柔道整復", "judo therapy"),
        Discipline::Acupuncture => ("はり・きゅう", "acupuncture"),
        Discipline::Massage => ("マッサージ", "massage"),
    };
    for (key, ja, en, days) in by_field {
        out.extend(on_dates(
            Finding::warning,
            "not_for_discipline",
            |d| format!("visits[{d}].{key}"),
            &days,
            |dates| format!("{dates}: {ja}は{case_ja}の請求にはありません（算定しませんでした）。"),
            |dates| format!("{dates}: the {en} is not part of a {case_en} claim; not billed."),
        ));
    }
}

/// "From 2024-10 施術分: 傷病名に加え症状名の記入が必要".
fn symptom_findings(symptoms: &str, visits: &[&Visit], out: &mut Vec<Finding>) {
    let from = Date::new(2024, 10, 1).ok();
    if symptoms.trim().is_empty() && visits.iter().any(|v| Some(v.date) >= from) {
        out.push(Finding::error(
            "symptoms_missing",
            "case.symptoms",
            "2024年10月施術分から症状名の記入が必要です。",
            "From treatments in October 2024 the symptoms must be written on the claim.",
        ));
    }
}

/// Every visit inside a 同意 period (the first 同意 or a 再同意, each as long as the typed
/// 加療期間 and the rules allow: super::consent); a warning in the month a period ends with no
/// 再同意 after it, and where a typed 加療期間 is longer than the rules allow.
fn consent_findings(case: &Case, visits: &[&Visit], out: &mut Vec<Finding>) {
    let periods = super::consent::periods(case);
    let Some(newest) = periods.iter().max_by_key(|p| p.until) else {
        out.push(Finding::error(
            "consent_missing",
            "case.consent",
            "医師の同意（同意書）がありません。",
            "There is no doctor's consent (同意書).",
        ));
        return;
    };
    let outside: Vec<Date> = visits
        .iter()
        .map(|v| v.date)
        .filter(|d| !periods.iter().any(|p| p.covers(*d)))
        .collect();
    out.extend(on_dates(
        Finding::error,
        "consent_expired",
        |d| format!("visits[{d}].date"),
        &outside,
        |ja| {
            format!(
                "{ja}は同意期間（{}〜{}）の外です。再同意を確認してください。",
                newest.consent_date.wareki(),
                newest.until.wareki()
            )
        },
        |en| {
            format!(
                "{en}: outside the consent period ({} to {}); check the renewed consent.",
                newest.consent_date, newest.until
            )
        },
    ));
    if let Some(p) = periods.iter().find(|p| p.typed_too_long) {
        out.push(Finding::warning(
            "consent_longer_than_rules",
            "case.consent.valid_until",
            format!(
                "同意の加療期間が、規則で認められる期間（{}まで）より長く入力されています。{}までで計算しました。",
                p.rule_until.wareki(),
                p.rule_until.wareki()
            ),
            format!(
                "The consent's period is typed longer than the rules allow (until {}); computed until then.",
                p.rule_until
            ),
        ));
    }
    if let Some(last) = visits.iter().map(|v| v.date).max() {
        let same_month = |a: Date, b: Date| a.year() == b.year() && a.month() == b.month();
        if same_month(newest.until, last) {
            out.push(Finding::warning(
                "consent_ends_this_month",
                "case.reconsents",
                format!(
                    "同意の期限（{}）がこの月です。翌月も施術を続けるなら医師の再同意を得てください（施術報告書を交付する月です）。",
                    newest.until.wareki()
                ),
                format!(
                    "The consent ends this month ({}): get the doctor's renewed consent to go on next month (the month to issue the treatment report).",
                    newest.until
                ),
            ));
        }
    }
}

type Make = fn(&str, String, String, String) -> Finding;

/// One finding for a rule broken on several days of the month, listing them all (a
/// refusal is reported once, not once per day). `field` names the first day's place.
fn on_dates(
    make: Make,
    code: &str,
    field: impl Fn(Date) -> String,
    dates: &[Date],
    ja: impl Fn(&str) -> String,
    en: impl Fn(&str) -> String,
) -> Option<Finding> {
    let first = *dates.first()?;
    let (ja_dates, en_dates) = date_lists(dates);
    Some(make(code, field(first), ja(&ja_dates), en(&en_dates)))
}

/// Days as a finding names them: `令和6年10月1日、令和6年10月2日` and `2024-10-01, 2024-10-02`.
pub(crate) fn date_lists<'a>(dates: impl IntoIterator<Item = &'a Date>) -> (String, String) {
    let dates: Vec<&Date> = dates.into_iter().collect();
    let ja = dates.iter().map(|d| d.wareki()).collect::<Vec<_>>();
    let en = dates.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    (ja.join("、"), en.join(", "))
}

fn outcome_findings(outcome: Option<Date>, visits: &[&Visit], out: &mut Vec<Finding>) {
    let Some(o) = outcome else { return };
    let after: Vec<Date> = visits.iter().map(|v| v.date).filter(|d| *d > o).collect();
    out.extend(on_dates(
        Finding::error,
        "visit_after_outcome",
        |d| format!("visits[{d}].date"),
        &after,
        |ja| {
            format!(
                "{ja}の施術は転帰（{}）の後です（算定しませんでした）。",
                o.wareki()
            )
        },
        |en| format!("{en}: after the outcome date ({o}); not billed."),
    ));
}

fn judo_findings(c: &super::model::JudoCase, visits: &[&Visit], out: &mut Vec<Finding>) {
    let early: Vec<Date> = visits
        .iter()
        .map(|v| v.date)
        .filter(|d| *d < c.first_visit_date)
        .collect();
    out.extend(on_dates(
        Finding::error,
        "visit_before_first",
        |d| format!("visits[{d}].date"),
        &early,
        |ja| format!("{ja}は初検日より前です（算定しませんでした）。"),
        |en| format!("{en}: before the first visit; not billed."),
    ));
    for v in visits {
        for p in &v.parts {
            if c.injuries.get(p.injury).is_none() {
                out.push(Finding::error(
                    "unknown_injury",
                    format!("visits[{}].parts.injury", v.date),
                    format!("{}: 負傷番号{}はありません。", v.date.wareki(), p.injury),
                    format!("{}: there is no injury number {}.", v.date, p.injury),
                ));
            }
        }
    }
    // A visit without `parts` treats every 負傷 open that day; when none is, it bills
    // nothing, and must say why instead of leaving the claim silently short (audit5 E11).
    let mut all_ended = Vec::new();
    let mut none_yet = Vec::new();
    for v in visits
        .iter()
        .filter(|v| v.parts.is_empty() && v.date >= c.first_visit_date)
    {
        let injured: Vec<&super::model::Injury> = c
            .injuries
            .iter()
            .filter(|inj| inj.injury_date <= v.date)
            .collect();
        let open = injured
            .iter()
            .any(|inj| inj.outcome.as_ref().is_none_or(|o| v.date <= o.date));
        if injured.is_empty() {
            none_yet.push(v.date);
        } else if !open {
            all_ended.push(v.date);
        }
    }
    out.extend(on_dates(
        Finding::error,
        "visit_after_outcome",
        |d| format!("visits[{d}].date"),
        &all_ended,
        |ja| format!("{ja}: どの負傷も転帰（治癒・中止・転医）の後です（この日は算定しませんでした）。"),
        |en| format!("{en}: every injury has ended (cured, discontinued or transferred) by then; nothing was billed that day."),
    ));
    out.extend(on_dates(
        Finding::error,
        "visit_before_injury",
        |d| format!("visits[{d}].date"),
        &none_yet,
        |ja| {
            format!("{ja}: この日までに負傷した負傷名がありません（この日は算定しませんでした）。")
        },
        |en| format!("{en}: no injury has happened by then; nothing was billed that day."),
    ));
    for (i, inj) in c.injuries.iter().enumerate() {
        let name = inj.name_ja();
        // A 転帰 before the 負傷 happened or before the case's 初検: the 負傷 can never be
        // treated, so it bills nothing — a typed date is wrong (audit5 E10).
        if let Some(o) = inj
            .outcome
            .as_ref()
            .filter(|o| o.date < inj.injury_date || o.date < c.first_visit_date)
        {
            out.push(Finding::error(
                "outcome_before_first_visit",
                format!("case.injuries[{i}].outcome.date"),
                format!(
                    "{name}の転帰日（{}）が負傷日（{}）または初検日（{}）より前です。この負傷は算定していません。転帰日を確認してください。",
                    o.date.wareki(),
                    inj.injury_date.wareki(),
                    c.first_visit_date.wareki()
                ),
                format!(
                    "{name}: the outcome date ({}) is before the injury ({}) or the first visit ({}); the injury was not billed. Check the outcome date.",
                    o.date, inj.injury_date, c.first_visit_date
                ),
            ));
        }
        // A later injury is fine; it must not precede its own treatment.
        let before: Vec<Date> = visits
            .iter()
            .filter(|v| v.date < inj.injury_date && v.parts.iter().any(|p| p.injury == i))
            .map(|v| v.date)
            .collect();
        out.extend(on_dates(
            Finding::error,
            "visit_before_injury",
            |_| format!("case.injuries[{i}].injury_date"),
            &before,
            |ja| format!("{ja}: {name}の負傷日より前の施術です。"),
            |en| format!("{en}: treatment before the injury date of {name}."),
        ));
        if let Some(o) = &inj.outcome {
            let after: Vec<Date> = visits
                .iter()
                .filter(|v| v.date > o.date && v.parts.iter().any(|p| p.injury == i))
                .map(|v| v.date)
                .collect();
            out.extend(on_dates(
                Finding::error,
                "visit_after_outcome",
                |d| format!("visits[{d}].parts"),
                &after,
                |ja| {
                    format!(
                        "{ja}: {name}は{}に{}となっています（算定しませんでした）。",
                        o.date.wareki(),
                        o.kind.label_ja()
                    )
                },
                |en| format!("{en}: {name} ended on {}; not billed.", o.date),
            ));
        }
    }
    let long = visits
        .iter()
        .any(|v| judo::is_long_term(c.first_visit_date, v.date));
    // "負傷の原因 … required when 3部位以上 etc."; we also require it in the 長期 period.
    if c.injuries.len() >= 3 || long {
        for (i, inj) in c.injuries.iter().enumerate() {
            if inj.cause.as_deref().is_none_or(|s| s.trim().is_empty()) {
                out.push(Finding::error(
                    "cause_missing",
                    format!("case.injuries[{i}].cause"),
                    format!(
                        "{}の負傷の原因（どこで、どうして、どうなった）を記入してください（3部位以上・長期の場合は必須）。",
                        inj.name_ja()
                    ),
                    format!(
                        "Write the cause of {} (where, how, what happened): required with 3 or more parts and in the long-term period.",
                        inj.name_ja()
                    ),
                ));
            }
        }
    }
    // "長期施術継続理由書: 打撲・捻挫・挫傷 が初検から 3か月超 継続 → 理由書 (or 摘要)".
    let three_months = after_months(c.first_visit_date, 3);
    let needs_reason = c.injuries.iter().any(|inj| {
        inj.kind.is_soft_tissue()
            && visits.iter().any(|v| {
                v.date > three_months && inj.outcome.as_ref().is_none_or(|o| v.date <= o.date)
            })
    });
    if needs_reason
        && c.long_term_reason
            .as_deref()
            .is_none_or(|s| s.trim().is_empty())
    {
        out.push(Finding::error(
            "long_term_reason_missing",
            "case.long_term_reason",
            "打撲・捻挫・挫傷が初検から3か月を超えて継続しています。長期施術継続理由を記入してください。",
            "A contusion, sprain or strain has been treated for more than 3 months; write the reason for continued treatment.",
        ));
    }
}

/// The same day `n` months later, clamped to the month's end (初検 1/31 + 1 month = 2/29).
pub fn after_months(d: Date, n: i32) -> Date {
    let m = d.month_start_offset(n);
    let last = crate::date::days_in_month(m.year(), m.month());
    Date::new(m.year(), m.month(), d.day().min(last)).unwrap_or(m)
}

/// "amounts using an unverified tariff entry (warning 要確認)": one per item and month.
pub(crate) fn unverified_findings(lines: &[ClaimLine]) -> Vec<Finding> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for l in lines.iter().filter(|l| !l.verified) {
        if seen.contains(&l.code.as_str()) {
            continue;
        }
        seen.push(&l.code);
        let why = if l.manual {
            "手入力の金額です"
        } else {
            "料金表の金額・率が原典で未確認です"
        };
        let why_en = if l.manual {
            "typed by hand"
        } else {
            "not confirmed in a primary source"
        };
        out.push(Finding::warning(
            "unverified_amount",
            format!("lines.{}", l.code),
            format!("要確認: {}（{}円）は{}。", l.label_ja, l.unit_yen, why),
            format!("To check: {} ({} yen) is {why_en}.", l.code, l.unit_yen),
        ));
    }
    out
}

/// The days an 往療料 was billed, in order (柔整, and あはき's sudden calls — before 2024-10
/// its 往療 too): the days the form's 往療 box describes, each with its 距離 and 往療理由.
pub(crate) fn outreach_days(lines: &[ClaimLine]) -> Vec<Date> {
    let mut days: Vec<Date> = lines
        .iter()
        .filter(|l| l.code == "ouryo" || l.code == "ouryo_over4km")
        .map(|l| l.date)
        .collect();
    days.sort();
    days.dedup();
    days
}

/// An 往療料 billed on a day whose 往療理由 is blank: the insurer reads why the patient could
/// not come from the form (docs/claims.md, 往療理由), so the clinic is told before filing.
/// A warning, not an error: the amounts do not depend on it.
pub(crate) fn outreach_reason_findings(lines: &[ClaimLine], visits: &[&Visit]) -> Option<Finding> {
    let blank: Vec<Date> = outreach_days(lines)
        .into_iter()
        .filter(|d| {
            visits
                .iter()
                .find(|v| v.date == *d)
                .is_none_or(|v| v.outreach_reason().is_none())
        })
        .collect();
    on_dates(
        Finding::warning,
        "outreach_reason_missing",
        |d| format!("visits[{d}].outreach_reason"),
        &blank,
        |ja| {
            format!("{ja}: 往療理由が未入力です。往療が必要だった理由（例：歩行困難とその原因）を入力してください（申請書の摘要に記載します。金額は変わりません）。")
        },
        |en| {
            format!("{en}: the reason for the house call is missing; enter why the patient needed a visit (e.g. cannot walk, and why). It is written in the form's remarks; the amounts do not change.")
        },
    )
}

/// The longest one-way distance accepted for a house call: beyond it the figure is a typing
/// mistake, not a journey (16 km already needs an absolute reason).
pub const MAX_DISTANCE_KM: f64 = 100.0;

/// A house call without its distance: the 往療料 depends on it (4 km), so nothing is billed.
pub(crate) fn distance_missing(d: Date) -> Finding {
    Finding::error(
        "distance_missing",
        format!("visits[{d}].mode.distance_km"),
        format!(
            "{}: 往療の片道距離（施術所から患家までの直線距離）を入力してください（往療料は算定していません）。",
            d.wareki()
        ),
        format!("{d}: enter the one-way distance of the house call (straight line from the clinic); the house-call fee was not billed."),
    )
}

/// A distance that cannot be right: negative, not a number, or absurdly far. Refused, never
/// billed.
pub(crate) fn distance_refused(d: Date, km: f64) -> Option<Finding> {
    if km.is_finite() && (0.0..=MAX_DISTANCE_KM).contains(&km) {
        return None;
    }
    let (ja, en) = if !km.is_finite() {
        (
            "数値ではありません".to_string(),
            "it is not a number".to_string(),
        )
    } else if km < 0.0 {
        (
            format!("負の値（{km}km）です"),
            format!("it is negative ({km} km)"),
        )
    } else {
        (
            format!("{km}kmは片道{MAX_DISTANCE_KM}kmを超えており入力誤りと考えられます"),
            format!("{km} km is over {MAX_DISTANCE_KM} km one way, which must be a typing mistake"),
        )
    };
    Some(Finding::error(
        "distance_invalid",
        format!("visits[{d}].mode.distance_km"),
        format!(
            "{}: 往療の距離が正しくありません（{ja}）。往療料は算定していません。",
            d.wareki()
        ),
        format!("{d}: the house-call distance is wrong ({en}); the house-call fee was not billed."),
    ))
}

/// "片道16kmを超える往療については…絶対的な理由がある場合に認められる…かかる理由がなく…
/// 16kmを超える往療をした場合の往療料は全額患者負担".
pub(crate) fn over_16km(d: Date) -> Finding {
    Finding::warning(
        "over_16km",
        format!("visits[{d}].mode.distance_km"),
        format!(
            "{}: 片道16km超の往療は絶対的な理由がある場合のみ算定できます（理由がなければ往療料は全額患者負担）。理由を摘要に記入してください。",
            d.wareki()
        ),
        format!("{d}: a house call over 16 km one way is billable only for an absolute reason (otherwise the patient pays its fee in full); write the reason in the remarks."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> Clinic {
        Clinic {
            name: "うけみ接骨院".into(),
            address: "東京都千代田区千代田1-1".into(),
            prefecture_code: "13".into(),
            registration_number: "協13-1234".into(),
            manager_name: "受身 太郎".into(),
            statement_system: false,
        }
    }

    /// A clinic that never filled in 設定: one error naming every blank box, so the form
    /// cannot pass with an empty 施術証明欄.
    #[test]
    fn a_blank_clinic_is_one_error_naming_every_box() {
        let blank = Clinic::default();
        let f = clinic_findings(&blank);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, "clinic_missing");
        assert_eq!(f[0].severity, super::super::Severity::Error);
        assert_eq!(f[0].field, "clinic.name");
        for box_name in [
            "施術所名",
            "所在地",
            "施術管理者",
            "登録記号番号",
            "都道府県番号",
        ] {
            assert!(f[0].message_ja.contains(box_name), "{}", f[0].message_ja);
        }
        assert_eq!(clinic_missing(&blank).len(), 5);
    }

    #[test]
    fn a_filled_clinic_has_no_finding_and_spaces_are_blank() {
        assert!(clinic_findings(&filled()).is_empty());
        let mut c = filled();
        c.manager_name = "　 ".into();
        c.registration_number = "   ".into();
        let f = clinic_findings(&c);
        assert_eq!(f.len(), 1);
        assert!(f[0].message_ja.contains("登録記号番号"));
        assert!(!f[0].message_ja.contains("所在地"));
        assert_eq!(f[0].field, "clinic.manager_name");
    }

    #[test]
    fn the_prefecture_code_is_01_to_47() {
        for ok in ["01", "13", "47", " 27 "] {
            assert!(prefecture_code_ok(ok), "{ok}");
        }
        for bad in ["00", "48", "1", "013", "東京", "1a"] {
            assert!(!prefecture_code_ok(bad), "{bad}");
        }
        let mut c = filled();
        c.prefecture_code = "48".into();
        let f = clinic_findings(&c);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, "clinic_prefecture_code");
    }
}
