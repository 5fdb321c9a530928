//! はり・きゅう and マッサージ fee rules (docs/claims.md, "Rule table": the あはき rows).

use super::claim::{Finding, Lines, Rates};
use super::consent::ConsentPeriod;
use super::model::{ClaimMonth, Visit, VisitMode, Warmth};
use super::tariff::{Schedule, Tariff, TariffSet};
use super::ClaimError;
use crate::date::Date;

/// 訪問施術料 1 (1人), 2 (2人), 3 (3〜9人), 3 (10人以上) by people treated that day in
/// the same building. Zero people is refused before this is asked.
pub fn visit_category(people: u32) -> &'static str {
    match people {
        0 | 1 => "1",
        2 => "2",
        3..=9 => "3",
        _ => "3_10",
    }
}

/// 施術報告書交付料: "施術報告書を交付した月の前5ヶ月の期間に係る療養費の支給で施術報告書交付料
/// が支給されていない場合" (疑義解釈 H30.10.1 問26) — none billed in the 5 months before, nor
/// earlier in the same month. 変形徒手矯正術, whose 同意 lasts one month, is not bound by it.
/// Returns the days of every report the case may bill.
fn billable_reports(history: &[&Visit]) -> Vec<Date> {
    let index = |d: Date| d.year() * 12 + i32::from(d.month());
    let mut billed: Vec<Date> = Vec::new();
    for v in history.iter().filter(|v| v.report_issued) {
        let recent = billed.iter().any(|b| index(v.date) - index(*b) <= 5);
        if v.deformity_limbs > 0 || !recent {
            billed.push(v.date);
        }
    }
    billed
}

/// What the discipline adds for one visit.
pub(crate) enum Kind {
    Acupuncture,
    Massage,
}

fn add(lines: &mut Lines, d: Date, t: &Tariff, code: &str, count: u32) -> Result<(), ClaimError> {
    lines.add(d, t, code, count, None, Rates::default())
}

/// 往療料: from 2024-10 "往療料 (突発的な往療のみ), 4km超加算廃止"; before, 片道4km超 2,550円.
fn outreach(lines: &mut Lines, d: Date, t: &Tariff, km: f64) -> Result<(), ClaimError> {
    let over4 = km > 4.0 && t.item("ouryo_over4km").is_some();
    add(
        lines,
        d,
        t,
        if over4 { "ouryo_over4km" } else { "ouryo" },
        1,
    )
}

pub(crate) fn month_lines(
    kind: Kind,
    first_visit: Date,
    consents: &[ConsentPeriod],
    history: &[&Visit],
    month: ClaimMonth,
    tariffs: &TariffSet,
    findings: &mut Vec<Finding>,
) -> Result<Lines, ClaimError> {
    let mut lines = Lines::new();
    let reports = billable_reports(history);
    for v in history.iter().filter(|v| ClaimMonth::of(v.date) == month) {
        let t = tariffs
            .on(Schedule::Ahaki, v.date)
            .ok_or(ClaimError::NoTariff { date: v.date })?;
        let d = v.date;
        let field = format!("visits[{d}]");
        if let VisitMode::Home { people: 0, .. } = v.mode {
            findings.push(Finding::error(
                "people_zero",
                format!("{field}.mode.people"),
                format!(
                    "{}: 訪問施術の同一日同一建物の人数が0人です。1人以上を入力してください（この日は算定していません）。",
                    d.wareki()
                ),
                format!("{d}: a home visit treating 0 people in the building; enter 1 or more (nothing was billed that day)."),
            ));
            continue;
        }
        // A distance that cannot be right loses the 往療料 and its 加算, as the finding says;
        // the 施術 itself is still billed (as for 柔整).
        let refused = v
            .mode
            .distance_km()
            .and_then(|km| super::checks::distance_refused(d, km));
        let distance_ok = refused.is_none();
        findings.extend(refused);
        // Planned visits from 2024-10 are one 訪問施術料 that includes 施術料 and 往療料.
        let visit_fee_cat = match (&v.mode, t.visit_fee_model) {
            (VisitMode::Home { people, .. }, true) => Some(visit_category(*people)),
            _ => None,
        };
        match kind {
            Kind::Acupuncture => {
                let n = match v.techniques {
                    Some(1) => 1,
                    Some(2) => 2,
                    other => {
                        let given = other.map(|n| n.to_string());
                        findings.push(Finding::error(
                            "techniques",
                            format!("{field}.techniques"),
                            format!(
                                "{}: 術数（1＝はり又はきゅう、2＝併用）を入力してください（入力: {}。この日は算定していません）。",
                                d.wareki(),
                                given.clone().unwrap_or_else(|| "なし".into())
                            ),
                            format!(
                                "{d}: enter the techniques (1 = acupuncture or moxibustion, 2 = both) (given: {}; nothing was billed that day).",
                                given.unwrap_or_else(|| "none".into())
                            ),
                        ));
                        continue;
                    }
                };
                if d == first_visit {
                    add(&mut lines, d, t, &format!("acu_first_{n}"), 1)?;
                }
                match visit_fee_cat {
                    Some(cat) => add(&mut lines, d, t, &format!("acu_visit_{cat}_{n}"), 1)?,
                    None => add(&mut lines, d, t, &format!("acu_treat_{n}"), 1)?,
                }
                if v.electro {
                    add(&mut lines, d, t, "acu_electro", 1)?;
                }
            }
            Kind::Massage => {
                let n = v.local_count;
                if !(1..=5).contains(&n) {
                    findings.push(Finding::error(
                        "local_count",
                        format!("{field}.local_count"),
                        format!(
                            "{}: 局所数は1〜5です（入力: {n}。この日は算定していません）。",
                            d.wareki()
                        ),
                        format!("{d}: the number of areas is 1 to 5 (given: {n}; nothing was billed that day)."),
                    ));
                    continue;
                }
                match visit_fee_cat {
                    Some(cat) => add(&mut lines, d, t, &format!("massage_visit_{cat}_{n}"), 1)?,
                    None => add(&mut lines, d, t, "massage_local", u32::from(n))?,
                }
                // "変形徒手矯正術 … 温罨法との併施不可": the 温罨法 is dropped, not the 矯正術.
                let warm_blocked = v.deformity_limbs > 0 && v.warmth != Warmth::None;
                if warm_blocked {
                    findings.push(Finding::error(
                        "warm_with_deformity",
                        format!("{field}.warmth"),
                        format!(
                            "{}: 変形徒手矯正術と温罨法は同日に併施できません（温罨法は算定しませんでした）。",
                            d.wareki()
                        ),
                        format!("{d}: manual correction of deformity and warm compress cannot be given the same day; the warm compress was not billed."),
                    ));
                }
                match (v.warmth, warm_blocked) {
                    (Warmth::Warm, false) => add(&mut lines, d, t, "massage_warm", 1)?,
                    (Warmth::WarmElectric, false) => {
                        add(&mut lines, d, t, "massage_warm_electric", 1)?
                    }
                    _ => {}
                }
                if v.deformity_limbs > 4 {
                    findings.push(Finding::error(
                        "deformity_limbs",
                        format!("{field}.deformity_limbs"),
                        format!("{}: 変形徒手矯正術は4肢までです（算定しませんでした）。", d.wareki()),
                        format!("{d}: manual correction of deformity covers at most 4 limbs; not billed."),
                    ));
                } else if v.deformity_limbs > 0 {
                    add(
                        &mut lines,
                        d,
                        t,
                        "massage_deformity",
                        u32::from(v.deformity_limbs),
                    )?;
                }
            }
        }
        // Whether a 訪問施術料 or 往療料 was billed: 特別地域加算 is added to one of them.
        let visit_billed = match (&v.mode, visit_fee_cat) {
            (VisitMode::Clinic, _) => false,
            (_, Some(_)) => true,
            _ if !distance_ok => false,
            (VisitMode::Call { distance_km }, None)
            | (
                VisitMode::Home {
                    distance_km: Some(distance_km),
                    ..
                },
                None,
            ) => {
                outreach(&mut lines, d, t, *distance_km)?;
                true
            }
            // Before 2024-10 the 往療料 depends on the distance (4km超), so without one it
            // cannot be priced: not billed, and said — as for 柔整 (docs/claims.md, audit2 B8).
            (
                VisitMode::Home {
                    distance_km: None, ..
                },
                None,
            ) => {
                findings.push(super::checks::distance_missing(d));
                false
            }
        };
        if v.special_area && visit_billed {
            if t.item("special_area").is_some() {
                add(&mut lines, d, t, "special_area", 1)?;
            } else {
                findings.push(Finding::warning(
                    "special_area_not_in_tariff",
                    format!("{field}.special_area"),
                    format!("{}: 特別地域加算は2024年10月施術分からです。", d.wareki()),
                    format!(
                        "{d}: the special-area addition exists from treatments in October 2024."
                    ),
                ));
            }
        }
        if distance_ok && v.mode.distance_km().is_some_and(|k| k > 16.0) {
            findings.push(super::checks::over_16km(d));
        }
        if v.report_issued {
            if reports.contains(&d) {
                add(&mut lines, d, t, "report", 1)?;
                // The period the report's day falls in (a 再同意's, once there is one): its
                // last month is the report's (a day outside every period is already an error).
                let period = consents
                    .iter()
                    .filter(|p| p.covers(d))
                    .max_by_key(|p| p.until);
                if let Some(c) = period.filter(|p| ClaimMonth::of(p.until) != month) {
                    findings.push(Finding::warning(
                        "report_not_last_month",
                        format!("{field}.report_issued"),
                        format!(
                            "{}: 施術報告書交付料は同意期間の最終月（{}、再同意の前）に算定するものです。同意期間を確認してください。",
                            d.wareki(),
                            ClaimMonth::of(c.until).wareki()
                        ),
                        format!(
                            "{d}: the report fee belongs to the last month of the consent period ({}), before the renewed consent; check the period.",
                            ClaimMonth::of(c.until)
                        ),
                    ));
                }
            } else {
                findings.push(Finding::warning(
                    "report_within_5_months",
                    format!("{field}.report_issued"),
                    format!(
                        "{}: 施術報告書交付料は、前5か月の間に交付料を算定していない場合だけ算定できます（算定しませんでした）。",
                        d.wareki()
                    ),
                    format!("{d}: the report fee is billable only when none was billed in the 5 months before; not billed."),
                ));
            }
        }
    }
    Ok(lines)
}
