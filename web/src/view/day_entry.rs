//! One day's treatment: the usual entry in one press, then adjusted box by box. Every
//! control that feeds the claim engine carries `data-field` (see `case_editor.rs`).
//! Recording or deleting a day hands the focus back to that day in the grid; deleting asks
//! first, as deleting a case does.

use super::case_editor::Setter;
use super::form::{yen, CheckField, ConfirmBox, SelectField, TextField};
use super::use_app;
use crate::state::{records, Action};
use ukemi_core::claims::{
    Case, FirstVisitAddon, InjuryKind, OutreachAddon, PartTreatment, Visit, VisitMode, Warmth,
    WindowDay,
};
use ukemi_core::records::{CaseRecord, Edit};
use ukemi_core::wire_name;
use ukemi_core::Date;
use yew::prelude::*;

/// A day's first entry: what is usually done, ready to adjust.
pub(crate) fn default_visit(case: &Case, date: Date) -> Visit {
    let mut v = Visit::on(date);
    match case {
        Case::Judo(j) => {
            v.parts = j
                .injuries
                .iter()
                .enumerate()
                .filter(|(_, i)| i.outcome.is_none())
                .map(|(i, _)| PartTreatment {
                    injury: i,
                    cold: false,
                    warm: false,
                    electro: false,
                })
                .collect();
        }
        Case::Acupuncture(_) => v.techniques = Some(1),
        Case::Massage(_) => v.local_count = 1,
    }
    v
}

const FIRST_ADDONS: [FirstVisitAddon; 3] = [
    FirstVisitAddon::OutOfHours,
    FirstVisitAddon::Holiday,
    FirstVisitAddon::LateNight,
];
const OUTREACH_ADDONS: [OutreachAddon; 3] = [
    OutreachAddon::Night,
    OutreachAddon::DifficultRoad,
    OutreachAddon::Storm,
];

/// 骨折・不全骨折・脱臼: where 金属副子等 and 運動後療 apply.
fn bone_or_joint(k: InjuryKind) -> bool {
    k.is_fracture() || k == InjuryKind::Dislocation
}

#[derive(Properties, PartialEq)]
pub struct DayProps {
    pub case: CaseRecord,
    pub date: Date,
    pub closed: bool,
    /// The day was recorded or deleted: the grid takes the focus back.
    pub onchanged: Callback<Date>,
    /// The day's amount and what the patient pays at the window, once computed.
    #[prop_or_default]
    pub money: Option<WindowDay>,
}

#[function_component(DayEntry)]
pub fn day_entry(p: &DayProps) -> Html {
    let app = use_app();
    let lang = app.lang();
    let rec = &p.case;
    let confirming = use_state(|| false);
    let visit = rec.visits.iter().find(|v| v.date == p.date).cloned();
    let heading = lang.t(
        format!("{}の施術", p.date.wareki()),
        format!("Treatment on {}", p.date),
    );
    let set = {
        let state = app.state.clone();
        let id = rec.id.clone();
        move |visit: Visit| {
            state.dispatch(Action::from(records::Action::Edit(Edit::SetVisit {
                case_id: id.clone(),
                visit,
            })))
        }
    };
    let Some(v) = visit else {
        let add = {
            let set = set.clone();
            let v = default_visit(&rec.case, p.date);
            let done = p.onchanged.clone();
            let date = p.date;
            Callback::from(move |_| {
                set(v.clone());
                done.emit(date);
            })
        };
        return html! {
            <section id="day-entry" class="day-entry" aria-labelledby="day-heading">
                <h3 id="day-heading">{ heading }</h3>
                <p>{ app.t("この日の施術はありません。", "No treatment on this day.") }</p>
                <button type="button" id="add-visit" onclick={add} disabled={p.closed}>{ app.t("この日の施術を記録", "Record treatment on this day") }</button>
            </section>
        };
    };
    let edit = |f: Setter<Visit, String>| {
        let set = set.clone();
        let v = v.clone();
        Callback::from(move |x: String| {
            let mut next = v.clone();
            f(&mut next, x);
            set(next);
        })
    };
    let check = |f: Setter<Visit, bool>| {
        let set = set.clone();
        let v = v.clone();
        Callback::from(move |b: bool| {
            let mut next = v.clone();
            f(&mut next, b);
            set(next);
        })
    };
    let ask = {
        let c = confirming.clone();
        Callback::from(move |_| {
            c.set(true);
            super::form::focus_later("remove-visit-text");
        })
    };
    let cancel = {
        let c = confirming.clone();
        Callback::from(move |_| {
            c.set(false);
            super::form::focus_later("remove-visit");
        })
    };
    let remove = {
        let state = app.state.clone();
        let id = rec.id.clone();
        let date = p.date;
        let done = p.onchanged.clone();
        let c = confirming.clone();
        Callback::from(move |_| {
            c.set(false);
            state.dispatch(Action::from(records::Action::Edit(Edit::RemoveVisit {
                case_id: id.clone(),
                date,
            })));
            done.emit(date);
        })
    };
    let disabled = p.closed;
    let body = match &rec.case {
        Case::Judo(j) => {
            let any_bone = j.injuries.iter().any(|i| bone_or_joint(i.kind));
            let first_day = v.date == j.first_visit_date;
            html! {
                <>
                    <div data-field="visit.parts">
                    { for j.injuries.iter().enumerate().map(|(i, inj)| {
                        // No 部位 listed means every open 負傷 to the engine: show them so, and
                        // list them the moment one is changed.
                        let listed = if v.parts.is_empty() { default_visit(&rec.case, v.date).parts } else { v.parts.clone() };
                        let part = listed.iter().find(|x| x.injury == i).cloned();
                        // The last 部位 stays: a day with none would bill every 負傷. Such a day
                        // is deleted instead.
                        let last = part.is_some() && listed.len() == 1;
                        let n = i + 1;
                        let all = listed.clone();
                        let toggle = check(Box::new(move |v, on| {
                            if v.parts.is_empty() {
                                v.parts = all.clone();
                            }
                            if !on && v.parts.len() == 1 && v.parts[0].injury == i {
                                return;
                            }
                            v.parts.retain(|x| x.injury != i);
                            if !on {
                                v.metal_splint.retain(|x| *x != i);
                            }
                            if on {
                                v.parts.push(PartTreatment { injury: i, cold: false, warm: false, electro: false });
                                v.parts.sort_by_key(|x| x.injury);
                            }
                        }));
                        let flag = |f: fn(&mut PartTreatment, bool)| {
                            let listed = listed.clone();
                            check(Box::new(move |v, on| {
                                if v.parts.is_empty() {
                                    v.parts = listed.clone();
                                }
                                if let Some(x) = v.parts.iter_mut().find(|x| x.injury == i) { f(x, on) }
                            }))
                        };
                        let splint = check(Box::new(move |v, on| {
                            v.metal_splint.retain(|x| *x != i);
                            if on {
                                v.metal_splint.push(i);
                                v.metal_splint.sort_unstable();
                            }
                        }));
                        html! {
                            <fieldset class="part">
                                <legend>{ inj.name_ja() }</legend>
                                <span data-field="part.injury"><CheckField id={format!("part-{n}")} label={ app.t("施術した", "Treated") } checked={part.is_some()} onchange={toggle} disabled={disabled || last} /></span>
                                if last {
                                    <p class="note" id={format!("part-{n}-last")}>{ app.t("施術した部位がない日は「この日の施術を削除」で消してください。", "A day with no part treated is removed with “Delete this day's treatment”.") }</p>
                                }
                                if let Some(x) = part {
                                    <span data-field="part.cold"><CheckField id={format!("part-{n}-cold")} label="冷罨法" checked={x.cold} onchange={flag(|x, b| x.cold = b)} disabled={disabled} /></span>
                                    <span data-field="part.warm"><CheckField id={format!("part-{n}-warm")} label="温罨法" checked={x.warm} onchange={flag(|x, b| x.warm = b)} disabled={disabled} /></span>
                                    <span data-field="part.electro"><CheckField id={format!("part-{n}-electro")} label="電療" checked={x.electro} onchange={flag(|x, b| x.electro = b)} disabled={disabled} /></span>
                                    if bone_or_joint(inj.kind) {
                                        <span data-field="visit.metal_splint"><CheckField id={format!("part-{n}-metal-splint")} label="金属副子等加算" checked={v.metal_splint.contains(&i)} onchange={splint} disabled={disabled} /></span>
                                    }
                                }
                            </fieldset>
                        }
                    }) }
                    </div>
                    <div class="grid">
                        if first_day {
                            <div data-field="visit.first_visit_addon">
                                <SelectField id="visit-first-addon" label={ app.t("初検の時間帯（加算）", "First visit out of hours") }
                                    value={ v.first_visit_addon.map(|a| wire_name(&a)).unwrap_or_default() }
                                    options={ std::iter::once((String::new(), app.t("通常の時間内", "Within posted hours").to_string()))
                                        .chain(FIRST_ADDONS.iter().map(|a| (wire_name(a), match a {
                                            FirstVisitAddon::LateNight => "深夜（22時〜6時）".to_string(),
                                            _ => a.label_ja().to_string(),
                                        }))).collect::<Vec<_>>() }
                                    onchange={edit(Box::new(|v, x| v.first_visit_addon = FIRST_ADDONS.iter().copied().find(|a| wire_name(a) == x)))} disabled={disabled} />
                            </div>
                        }
                        if any_bone {
                            <div data-field="visit.exercise_aftercare">
                                <CheckField id="visit-exercise-aftercare" label="柔道整復運動後療料" checked={v.exercise_aftercare}
                                    onchange={check(Box::new(|v, b| v.exercise_aftercare = b))} disabled={disabled} />
                            </div>
                        }
                        <div data-field="visit.info_provision">
                            <CheckField id="visit-info-provision" label={ app.t("施術情報提供料（医師へ紹介状）", "Referral letter to a doctor") } checked={v.info_provision}
                                onchange={check(Box::new(|v, b| v.info_provision = b))} disabled={disabled} />
                        </div>
                    </div>
                </>
            }
        }
        Case::Acupuncture(_) => html! {
            <div class="grid">
                <div data-field="visit.techniques">
                    <SelectField id="visit-techniques" label={ app.t("施術", "Technique") } value={ v.techniques.unwrap_or(1).to_string() }
                        options={vec![("1".into(), "1術（はり又はきゅう）".into()), ("2".into(), "2術（はり・きゅう併用）".into())]}
                        onchange={edit(Box::new(|v, x| v.techniques = x.parse().ok()))} disabled={disabled} />
                </div>
                <div data-field="visit.electro">
                    <CheckField id="visit-electro" label={ app.t("電療料加算", "Electrotherapy") } checked={v.electro} onchange={check(Box::new(|v, b| v.electro = b))} disabled={disabled} />
                </div>
            </div>
        },
        Case::Massage(_) => html! {
            <div class="grid">
                <div data-field="visit.local_count">
                    <SelectField id="visit-local-count" label={ app.t("局所数", "Areas") } value={ v.local_count.to_string() }
                        options={(1..=5).map(|n| (n.to_string(), format!("{n}局所"))).collect::<Vec<_>>()}
                        onchange={edit(Box::new(|v, x| v.local_count = x.parse().unwrap_or(1)))} disabled={disabled} />
                </div>
                <div data-field="visit.warmth">
                    <SelectField id="visit-warmth" label={ app.t("温罨法", "Warm compress") } value={ match v.warmth { Warmth::None => "none", Warmth::Warm => "warm", Warmth::WarmElectric => "warm_electric" } }
                        options={vec![("none".into(), "なし".into()), ("warm".into(), "温罨法".into()), ("warm_electric".into(), "温罨法＋電気光線器具".into())]}
                        onchange={edit(Box::new(|v, x| v.warmth = match x.as_str() { "warm" => Warmth::Warm, "warm_electric" => Warmth::WarmElectric, _ => Warmth::None }))} disabled={disabled} />
                </div>
                <div data-field="visit.deformity_limbs">
                    <SelectField id="visit-deformity" label={ app.t("変形徒手矯正術（肢数）", "Manual correction (limbs)") } value={ v.deformity_limbs.to_string() }
                        options={(0..=4).map(|n| (n.to_string(), if n == 0 { "なし".to_string() } else { format!("{n}肢") })).collect::<Vec<_>>()}
                        onchange={edit(Box::new(|v, x| v.deformity_limbs = x.parse().unwrap_or(0)))} disabled={disabled} />
                </div>
            </div>
        },
    };
    let mode = match &v.mode {
        VisitMode::Clinic => "clinic",
        VisitMode::Home { .. } => "home",
        VisitMode::Call { .. } => "call",
    };
    let judo = matches!(rec.case, Case::Judo(_));
    let call = matches!(v.mode, VisitMode::Call { .. });
    let away = !matches!(v.mode, VisitMode::Clinic);
    html! {
        <section id="day-entry" class="day-entry" aria-labelledby="day-heading">
            <h3 id="day-heading">{ heading }</h3>
            if let Some(m) = &p.money {
                <p id="day-amount" class="amount">
                    { app.t("この日の金額 ", "This day ") }<strong>{ yen(m.total_yen.into()) }</strong>
                    { app.t("　窓口でいただく額 ", "  Paid at the window ") }<strong id="day-window">{ yen(m.pays_yen.into()) }</strong>
                </p>
            }
            { body }
            <div class="grid">
                <div data-field="visit.mode">
                    <SelectField id="visit-mode" label={ app.t("施術場所", "Where") } value={mode}
                        options={vec![("clinic".into(), "通所（施術所）".into()), ("home".into(), "訪問施術（定期的）".into()), ("call".into(), "往療（突発的な求め）".into())]}
                        onchange={edit(Box::new(|v, x| v.mode = match x.as_str() {
                            "home" => VisitMode::Home { people: 1, distance_km: None },
                            "call" => VisitMode::Call { distance_km: 1.0 },
                            _ => VisitMode::Clinic,
                        }))} disabled={disabled} />
                </div>
                if let VisitMode::Home { people, .. } = &v.mode {
                    <div data-field="mode.home.people">
                        <TextField id="visit-people" kind="number" label={ app.t("同一建物で施術した人数", "People treated in the building") } value={people.to_string()}
                            onchange={edit(Box::new(|v, x| if let VisitMode::Home { people, .. } = &mut v.mode { if let Ok(n) = x.trim().parse::<u32>() { *people = n.max(1) } }))} disabled={disabled} />
                    </div>
                }
                if away {
                    <div data-field={ if call { "mode.call.distance_km" } else { "mode.home.distance_km" } }>
                        <TextField id="visit-distance" kind="number" label={ app.t("片道の距離（km・直線）", "One-way distance (km, straight line)") } value={ v.mode.distance_km().map(|km| km.to_string()).unwrap_or_default() }
                            onchange={edit(Box::new(|v, x| {
                                // Half-typed numbers ("1.") read as nothing: keep the last value.
                                let Ok(km) = x.trim().parse::<f64>() else { return };
                                match &mut v.mode {
                                    VisitMode::Home { distance_km, .. } => *distance_km = Some(km),
                                    VisitMode::Call { distance_km } => *distance_km = km,
                                    VisitMode::Clinic => {}
                                }
                            }))} disabled={disabled} />
                    </div>
                }
                if judo && away {
                    <div data-field="visit.outreach_addon">
                        <SelectField id="visit-outreach-addon" label={ app.t("往療の加算", "House-call addition") }
                            value={ v.outreach_addon.map(|a| wire_name(&a)).unwrap_or_default() }
                            options={ std::iter::once((String::new(), app.t("なし", "None").to_string()))
                                .chain(OUTREACH_ADDONS.iter().map(|a| (wire_name(a), match a {
                                    OutreachAddon::Storm => "暴風雨・暴風雪".to_string(),
                                    _ => a.label_ja().to_string(),
                                }))).collect::<Vec<_>>() }
                            onchange={edit(Box::new(|v, x| v.outreach_addon = OUTREACH_ADDONS.iter().copied().find(|a| wire_name(a) == x)))} disabled={disabled} />
                    </div>
                }
                // 往療理由 goes on the form beside the 距離 (docs/claims.md). A reason typed
                // before the day went back to the clinic stays shown, so it can be cleared.
                if away || v.outreach_reason.is_some() {
                    <div data-field="visit.outreach_reason">
                        <TextField id="visit-outreach-reason" label={ app.t("往療理由（患家で施術した理由）", "Reason for the house call") }
                            hint={ app.t("例：歩行困難（左足関節脱臼）", "e.g. cannot walk (dislocated left ankle)") }
                            value={ v.outreach_reason.clone().unwrap_or_default() }
                            onchange={edit(Box::new(|v, x| v.outreach_reason = (!x.trim().is_empty()).then_some(x)))} disabled={disabled} />
                    </div>
                }
            </div>
            if !judo {
                <div data-field="visit.report_issued">
                    <CheckField id="visit-report" label={ app.t("施術報告書を交付した", "Treatment report issued") } checked={v.report_issued} onchange={check(Box::new(|v, b| v.report_issued = b))} disabled={disabled} />
                </div>
            }
            // An あはき 加算 (支給基準): not offered on a 柔整 day; one ticked before (an imported
            // file) stays shown so it can be cleared — the claim names it `not_for_discipline`.
            if !judo || v.special_area {
                <div data-field="visit.special_area">
                    <CheckField id="visit-special-area" label={ app.t("特別地域加算", "Special area") } checked={v.special_area} onchange={check(Box::new(|v, b| v.special_area = b))} disabled={disabled} />
                </div>
            }
            if *confirming {
                <ConfirmBox text_id="remove-visit-text"
                    question={ lang.t(format!("{}の施術の記録を削除します。よろしいですか？", p.date.wareki()), format!("Delete the treatment recorded on {}?", p.date)) }
                    confirm_id="remove-visit-confirm" confirm_label={ app.t("削除する", "Delete") } onconfirm={remove}
                    cancel_id="remove-visit-cancel" oncancel={cancel} />
            } else {
                <button type="button" id="remove-visit" class="secondary" onclick={ask} disabled={disabled}>{ app.t("この日の施術を削除", "Delete this day's treatment") }</button>
            }
        </section>
    }
}
