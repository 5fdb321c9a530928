//! 柔道整復 fee rules (claims.md §2.1). Amounts come from the tariff; what is billable,
//! when, and at which rate is decided here.

use super::claim::{Finding, Lines, Rates};
use super::model::{ClaimMonth, Clinic, Injury, InjuryKind, JudoCase, Visit, VisitMode};
use super::tariff::{Schedule, Tariff, TariffItem, TariffSet};
use super::ClaimError;
use crate::date::Date;
use std::collections::BTreeMap;

/// Lines of one month plus the reductions that applied.
pub(crate) struct JudoMonth {
    pub lines: Lines,
    pub long_term: bool,
    pub long_term_frequent: bool,
}

/// One 部位 treated on one visit.
#[derive(Clone, Copy)]
struct Treated {
    injury: usize,
    cold: bool,
    warm: bool,
    electro: bool,
}

/// The first day of the 長期 count: "初検日を含む月 (初検が16日以降なら翌月) から起算".
pub fn long_term_start(first_visit: Date) -> Date {
    first_visit.month_start_offset(i32::from(first_visit.day() >= 16))
}

/// "5か月を超える月": the count's first month is month 1, so month index 5 (the 6th) on.
pub fn is_long_term(first_visit: Date, visit: Date) -> bool {
    long_term_start(first_visit).months_until(visit) >= 5
}

/// Days after the injury during which 温罨法・電療 are not billable: "骨折・不全骨折:
/// 受傷日から7日間除く; 脱臼・打撲・不全脱臼・捻挫: 5日間除く" (the injury day is day 1).
pub fn warm_excluded(kind: InjuryKind, injury_date: Date, visit: Date) -> bool {
    let days = if kind.is_fracture() { 7 } else { 5 };
    visit < injury_date.add_days(days)
}

/// 長期頻回: in the 長期 period, treated in every month since the count started and at
/// least 10 times in the month before (docs/claims.md: our reading of
/// "初検月から連続5か月以上、1月10回以上").
pub fn is_long_term_frequent(
    first_visit: Date,
    month: ClaimMonth,
    per_month: &BTreeMap<ClaimMonth, u32>,
) -> bool {
    let Some(month_day) = month.first_day() else {
        return false;
    };
    if !is_long_term(first_visit, month_day) {
        return false;
    }
    let prev = month.previous();
    if per_month.get(&prev).copied().unwrap_or(0) < 10 {
        return false;
    }
    let mut m = ClaimMonth::of(long_term_start(first_visit));
    while m <= prev {
        if per_month.get(&m).copied().unwrap_or(0) == 0 {
            return false;
        }
        m = m.next();
    }
    true
}

fn item<'t>(t: &'t Tariff, code: &str) -> Result<&'t TariffItem, ClaimError> {
    t.item(code).ok_or_else(|| ClaimError::MissingTariffItem {
        tariff_id: t.id.clone(),
        code: code.to_string(),
    })
}

/// Parts treated on a visit that exist, are injured by then, and have no earlier 転帰.
fn treated(case: &JudoCase, v: &Visit) -> Vec<Treated> {
    let all: Vec<Treated> = if v.parts.is_empty() {
        (0..case.injuries.len())
            .map(|injury| Treated {
                injury,
                cold: false,
                warm: false,
                electro: false,
            })
            .collect()
    } else {
        v.parts
            .iter()
            .map(|p| Treated {
                injury: p.injury,
                cold: p.cold,
                warm: p.warm,
                electro: p.electro,
            })
            .collect()
    };
    let mut seen = Vec::with_capacity(all.len());
    all.into_iter()
        .filter(|p| {
            let Some(inj) = case.injuries.get(p.injury) else {
                return false;
            };
            let open = inj.outcome.as_ref().is_none_or(|o| v.date <= o.date);
            let fresh = !seen.contains(&p.injury);
            seen.push(p.injury);
            fresh && open && inj.injury_date <= v.date
        })
        .collect()
}

fn first_fee_code(inj: &Injury) -> Option<&'static str> {
    match inj.kind {
        InjuryKind::Contusion | InjuryKind::Sprain => Some("first_contusion_sprain"),
        InjuryKind::Strain => Some("first_strain"),
        InjuryKind::Fracture => match inj.bone_class {
            Some(super::model::BoneClass::MajorLongBone) => Some("reduction_fracture_major"),
            Some(super::model::BoneClass::Minor) => Some("reduction_fracture_minor"),
            None => None,
        },
        InjuryKind::IncompleteFracture | InjuryKind::Dislocation => None,
    }
}

fn after_fee_code(kind: InjuryKind) -> &'static str {
    match kind {
        InjuryKind::Contusion | InjuryKind::Sprain => "after_contusion_sprain",
        InjuryKind::Strain => "after_strain",
        InjuryKind::Fracture => "after_fracture",
        InjuryKind::IncompleteFracture | InjuryKind::Dislocation => "after_incomplete_dislocation",
    }
}

/// Computes the lines of `month`. `history` is every valid visit of the case, sorted by
/// date without duplicates.
pub(crate) fn month_lines(
    case: &JudoCase,
    clinic: &Clinic,
    history: &[&Visit],
    month: ClaimMonth,
    tariffs: &TariffSet,
    findings: &mut Vec<Finding>,
) -> Result<JudoMonth, ClaimError> {
    let mut per_month: BTreeMap<ClaimMonth, u32> = BTreeMap::new();
    for v in history {
        *per_month.entry(ClaimMonth::of(v.date)).or_insert(0) += 1;
    }
    // The day each 部位 was first treated gets its 施療料/整復料; later days 後療料.
    let mut first_treated: Vec<Option<Date>> = vec![None; case.injuries.len()];
    for v in history.iter().filter(|v| v.date >= case.first_visit_date) {
        for p in treated(case, v) {
            if let Some(slot) = first_treated.get_mut(p.injury) {
                slot.get_or_insert(v.date);
            }
        }
    }
    let first_after_care = history
        .iter()
        .filter(|v| !treated(case, v).is_empty())
        .map(|v| v.date)
        .find(|d| *d > case.first_visit_date);
    let frequent_month = is_long_term_frequent(case.first_visit_date, month, &per_month);

    let mut out = JudoMonth {
        lines: Lines::new(),
        long_term: false,
        long_term_frequent: false,
    };
    let mut addon_done = false;
    let mut exercise_in_month = 0u32;
    // 金属副子等加算 is counted over the whole case (初回 + 交換 2回), so earlier months count.
    let mut splints = vec![0u32; case.injuries.len()];
    for v in history
        .iter()
        .filter(|v| ClaimMonth::of(v.date) < month && v.date >= case.first_visit_date)
    {
        let open = treated(case, v);
        for i in &v.metal_splint {
            if open.iter().any(|p| p.injury == *i) && splint_kind(case, *i) {
                if let Some(n) = splints.get_mut(*i) {
                    *n += 1;
                }
            }
        }
    }
    for v in history.iter().filter(|v| ClaimMonth::of(v.date) == month) {
        // Before the 初検 or after every 転帰 nothing is billable (checks report why).
        let parts = treated(case, v);
        if v.date < case.first_visit_date || parts.is_empty() {
            continue;
        }
        let t = tariffs
            .on(Schedule::Judo, v.date)
            .ok_or(ClaimError::NoTariff { date: v.date })?;
        let lines = &mut out.lines;
        if v.date == case.first_visit_date {
            lines.add(v.date, t, "shoken", 1, None, Rates::default())?;
            if case.consult_support {
                lines.add(v.date, t, "shoken_consult", 1, None, Rates::default())?;
            }
        } else if Some(v.date) == first_after_care {
            lines.add(v.date, t, "saiken", 1, None, Rates::default())?;
        }

        let long = is_long_term(case.first_visit_date, v.date);
        let frequent = long && frequent_month && t.item("rate_long_term_frequent").is_some();
        for (rank, p) in parts.into_iter().enumerate() {
            let Some(inj) = case.injuries.get(p.injury) else {
                continue;
            };
            let first_day = first_treated.get(p.injury).copied().flatten() == Some(v.date);
            // "4部位目以降の後療料等は3部位までの料金に含まれ算定不可 (初回の施療料は算定可)".
            if rank >= 3 && !first_day {
                continue;
            }
            let multi_part = if rank == 2 {
                Some(item(t, "rate_third_part")?)
            } else {
                None
            };
            let long_rate = if long && !inj.kind.is_fracture() && !first_day {
                out.long_term = true;
                if frequent {
                    out.long_term_frequent = true;
                    Some(item(t, "rate_long_term_frequent")?)
                } else {
                    Some(item(t, "rate_long_term")?)
                }
            } else {
                None
            };
            let rates = Rates {
                multi_part,
                long_term: long_rate,
            };
            let field = format!("case.injuries[{}]", p.injury);
            if first_day {
                if let Some(yen) = inj.manual_first_fee_yen {
                    let label = match inj.kind {
                        InjuryKind::IncompleteFracture => "固定料（手入力）",
                        _ => "整復料（手入力）",
                    };
                    lines.add_manual(v.date, t, label.to_string(), yen, p.injury);
                } else if let Some(code) = first_fee_code(inj) {
                    lines.add(v.date, t, code, 1, Some(p.injury), Rates::default())?;
                } else {
                    findings.push(Finding::error(
                        "manual_fee_missing",
                        format!("{field}.manual_first_fee_yen"),
                        format!(
                            "{}の整復料・固定料は料金表にないため、金額を入力してください。",
                            inj.name_ja()
                        ),
                    ));
                }
            } else {
                let code = after_fee_code(inj.kind);
                lines.add(v.date, t, code, 1, Some(p.injury), rates)?;
            }
            if rank >= 3 {
                continue;
            }
            if p.cold {
                lines.add(v.date, t, "cold", 1, Some(p.injury), rates)?;
            }
            for (wanted, code) in [(p.warm, "warm"), (p.electro, "electro")] {
                if !wanted {
                    continue;
                }
                if warm_excluded(inj.kind, inj.injury_date, v.date) {
                    findings.push(Finding::warning(
                        "warm_excluded_period",
                        format!("visits[{}]", v.date),
                        format!(
                            "{} {}: 負傷日から{}日間は温罨法・電療を算定できません（算定しませんでした）。",
                            v.date.wareki(),
                            inj.name_ja(),
                            if inj.kind.is_fracture() { 7 } else { 5 }
                        ),
                    ));
                    continue;
                }
                lines.add(v.date, t, code, 1, Some(p.injury), rates)?;
            }
        }

        extras(
            case,
            v,
            t,
            lines,
            &mut splints,
            &mut exercise_in_month,
            findings,
        )?;
        if let Some(km) = v.mode.distance_km().or(match v.mode {
            VisitMode::Clinic => None,
            _ => Some(0.0),
        }) {
            let code = if km > 4.0 { "ouryo_over4km" } else { "ouryo" };
            lines.add(v.date, t, code, 1, None, Rates::default())?;
        }
        // "明細書発行体制加算 (月1回)".
        if clinic.statement_system && !addon_done {
            addon_done = true;
            lines.add(v.date, t, "statement_addon", 1, None, Rates::default())?;
        }
    }
    Ok(out)
}

fn splint_kind(case: &JudoCase, injury: usize) -> bool {
    case.injuries.get(injury).is_some_and(|i| {
        matches!(
            i.kind,
            InjuryKind::Fracture | InjuryKind::IncompleteFracture | InjuryKind::Dislocation
        )
    })
}

/// 金属副子等加算: "one addition per 損傷部位 regardless of size/number", 初回 plus
/// "2回目・3回目 (交換)" — at most 3 per 部位 over the case. 柔道整復運動後療料: "骨折・不全骨折・
/// 脱臼 … 暦月5回限度". 施術情報提供料: when a 紹介 is written.
fn extras(
    case: &JudoCase,
    v: &Visit,
    t: &Tariff,
    lines: &mut Lines,
    splints: &mut [u32],
    exercise_in_month: &mut u32,
    findings: &mut Vec<Finding>,
) -> Result<(), ClaimError> {
    let open = treated(case, v);
    let field = format!("visits[{}]", v.date);
    for i in &v.metal_splint {
        let treated_now = open.iter().any(|p| p.injury == *i);
        let Some(n) = splints
            .get_mut(*i)
            .filter(|_| treated_now && splint_kind(case, *i))
        else {
            findings.push(Finding::warning(
                "metal_splint_not_billable",
                format!("{field}.metal_splint"),
                format!(
                    "{}: 金属副子等加算は当日施術した骨折・不全骨折・脱臼の部位だけです（算定しませんでした）。",
                    v.date.wareki()
                ),
            ));
            continue;
        };
        if *n >= 3 {
            findings.push(Finding::warning(
                "metal_splint_limit",
                format!("{field}.metal_splint"),
                format!(
                    "{}: 金属副子等加算は1部位3回（交換2回）までです。",
                    v.date.wareki()
                ),
            ));
            continue;
        }
        *n += 1;
        lines.add(v.date, t, "metal_splint", 1, Some(*i), Rates::default())?;
    }
    if v.exercise_aftercare {
        let eligible = open.iter().any(|p| splint_kind(case, p.injury));
        if !eligible || *exercise_in_month >= 5 {
            findings.push(Finding::warning(
                "exercise_aftercare_not_billable",
                format!("{field}.exercise_aftercare"),
                format!(
                    "{}: 柔道整復運動後療料は骨折・不全骨折・脱臼で月5回までです（算定しませんでした）。",
                    v.date.wareki()
                ),
            ));
        } else {
            *exercise_in_month += 1;
            lines.add(v.date, t, "exercise_aftercare", 1, None, Rates::default())?;
        }
    }
    if v.info_provision {
        lines.add(v.date, t, "info_provision", 1, None, Rates::default())?;
    }
    Ok(())
}
