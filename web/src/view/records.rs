//! 施術録: a patient's cases (柔整 負傷 / あはき 傷病 and 同意), a month calendar of visits, and
//! quick entry of what was done on a day. The month's amount is computed by the claim engine
//! on every change and shown (and announced) beside the calendar.

use super::form::{date_value, parse_date, yen, CheckField, ConfirmBox, SelectField, TextField};
use super::use_app;
use crate::i18n::Lang;
use crate::state::Action;
use ukemi_core::claims::{
    AcuDisease, AcupunctureCase, Case, ClaimMonth, Consent, Injury, InjuryKind, JudoCase,
    MassageCase, Outcome, OutcomeKind, PartTreatment, Severity, Side, Visit, VisitMode, Warmth,
};
use ukemi_core::date::days_in_month;
use ukemi_core::records::{CaseRecord, Edit};
use ukemi_core::Date;
use yew::prelude::*;

/// How a control's new value goes into the record it edits.
type Setter<T, V> = Box<dyn Fn(&mut T, V)>;

const INJURY_KINDS: [InjuryKind; 6] = [
    InjuryKind::Contusion,
    InjuryKind::Sprain,
    InjuryKind::Strain,
    InjuryKind::Fracture,
    InjuryKind::IncompleteFracture,
    InjuryKind::Dislocation,
];

const DISEASES: [AcuDisease; 7] = [
    AcuDisease::Neuralgia,
    AcuDisease::Rheumatism,
    AcuDisease::CervicobrachialSyndrome,
    AcuDisease::FrozenShoulder,
    AcuDisease::LumbagoSyndrome,
    AcuDisease::WhiplashSequelae,
    AcuDisease::Other,
];

fn new_case(kind: &str, today: Date) -> Case {
    match kind {
        "acupuncture" => Case::Acupuncture(AcupunctureCase {
            first_visit_date: today,
            diseases: Vec::new(),
            other_disease: None,
            symptoms: String::new(),
            consent: None,
            outcome: None,
        }),
        "massage" => Case::Massage(MassageCase {
            first_visit_date: today,
            symptoms: String::new(),
            consent: None,
            outcome: None,
        }),
        _ => Case::Judo(JudoCase {
            first_visit_date: today,
            injuries: Vec::new(),
            consult_support: false,
            long_term_reason: None,
            long_term_frequent_reason: None,
            doctor_consent: None,
        }),
    }
}

/// A day's first entry: what is usually done, ready to adjust.
fn default_visit(case: &Case, date: Date) -> Visit {
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

fn case_title(lang: Lang, c: &CaseRecord) -> String {
    let d = c.case.discipline();
    let first = match &c.case {
        Case::Judo(j) => j.first_visit_date,
        Case::Acupuncture(a) => a.first_visit_date,
        Case::Massage(m) => m.first_visit_date,
    };
    let what = match &c.case {
        Case::Judo(j) => j
            .injuries
            .iter()
            .map(Injury::name_ja)
            .collect::<Vec<_>>()
            .join("・"),
        Case::Acupuncture(a) => a
            .diseases
            .iter()
            .map(|d| d.label_ja())
            .collect::<Vec<_>>()
            .join("・"),
        Case::Massage(m) => m.symptoms.clone(),
    };
    match lang {
        Lang::Ja => format!("{}（初検 {}）{}", d.label_ja(), first.wareki(), what),
        Lang::En => format!("{} (first visit {}) {}", d.label_ja(), first, what),
    }
}

#[function_component(Records)]
pub fn records() -> Html {
    let app = use_app();
    let s = &app.state;
    let today = crate::clock::today();
    let case_id = use_state(|| None::<String>);
    let new_kind = use_state(|| "judo".to_string());
    let patient = s.patient.as_ref().and_then(|id| s.book.patient(id));
    let cases: Vec<&CaseRecord> = patient
        .map(|p| s.book.cases_of(&p.id).collect())
        .unwrap_or_default();
    let chosen = (*case_id)
        .as_ref()
        .and_then(|id| cases.iter().find(|c| &c.id == id).copied())
        .or_else(|| cases.last().copied());
    let choose_patient = {
        let state = app.state.clone();
        let case_id = case_id.clone();
        Callback::from(move |v: String| {
            case_id.set(None);
            state.dispatch(Action::ChoosePatient((!v.is_empty()).then_some(v)));
        })
    };
    let mut options = vec![(
        String::new(),
        app.t("患者を選んでください", "Choose a patient")
            .to_string(),
    )];
    options.extend(s.book.patients.iter().map(|p| {
        (
            p.id.clone(),
            format!("{}（{}）", p.name, p.birth_date.wareki()),
        )
    }));
    let create = {
        let state = app.state.clone();
        let pid = patient.map(|p| p.id.clone());
        let kind = new_kind.clone();
        let case_id = case_id.clone();
        Callback::from(move |_| {
            if let Some(pid) = pid.clone() {
                case_id.set(None);
                state.dispatch(Action::Edit(Edit::NewCase {
                    patient_id: pid,
                    case: new_case(&kind, today),
                }));
            }
        })
    };
    html! {
        <>
            <h1 id="screen-heading" tabindex="-1">{ app.t("施術録", "Treatment records") }</h1>
            <section class="panel" aria-labelledby="records-patient-heading">
                <h2 id="records-patient-heading">{ app.t("患者と施術録", "Patient and case") }</h2>
                <SelectField id="records-patient" label={ app.t("患者", "Patient") }
                    value={ s.patient.clone().unwrap_or_default() } options={options} onchange={choose_patient} />
                if let Some(p) = patient {
                    if !cases.is_empty() {
                        <fieldset class="cases">
                            <legend>{ app.t("施術録", "Cases") }</legend>
                            { for cases.iter().map(|c| {
                                let case_id = case_id.clone();
                                let id = c.id.clone();
                                let on = Callback::from(move |_| case_id.set(Some(id.clone())));
                                html! {
                                    <label class="choice" for={format!("case-{}", c.id)}>
                                        <input type="radio" name="case" id={format!("case-{}", c.id)}
                                            checked={ chosen.is_some_and(|x| x.id == c.id) } onchange={on} />
                                        { case_title(app.lang(), c) }
                                    </label>
                                }
                            }) }
                        </fieldset>
                    }
                    <div class="grid">
                        <SelectField id="new-case-kind" label={ app.t("新しい施術録の種類", "Kind of new case") }
                            value={(*new_kind).clone()}
                            options={vec![
                                ("judo".into(), "柔道整復（負傷）".into()),
                                ("acupuncture".into(), "はり・きゅう（傷病・同意）".into()),
                                ("massage".into(), "あん摩マッサージ（症状・同意）".into()),
                            ]}
                            onchange={ let k = new_kind.clone(); Callback::from(move |v| k.set(v)) } />
                        <button type="button" id="new-case" onclick={create}>
                            { if app.lang() == Lang::Ja { format!("{}さんの施術録を作る", p.name) } else { format!("New case for {}", p.name) } }
                        </button>
                    </div>
                } else if s.book.patients.is_empty() {
                    <p>{ app.t("患者がまだいません。受付で資格確認をして登録してください。", "No patients yet: check eligibility at reception first.") }</p>
                }
                if let Some((ja, en)) = &s.edit_error {
                    <p id="records-error" class="error" role="alert">{ if app.lang() == Lang::Ja { ja.clone() } else { en.clone() } }</p>
                }
            </section>
            if let Some(c) = chosen {
                <CaseEditor key={format!("e-{}", c.id)} case={c.clone()} />
                <Calendar key={format!("c-{}", c.id)} case={c.clone()} />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct CaseProps {
    case: CaseRecord,
}

/// Edits a case field by field; each change is saved as a whole new case value.
#[function_component(CaseEditor)]
fn case_editor(p: &CaseProps) -> Html {
    let app = use_app();
    let rec = &p.case;
    let put = {
        let state = app.state.clone();
        let id = rec.id.clone();
        move |case: Case| {
            state.dispatch(Action::Edit(Edit::PutCase {
                id: id.clone(),
                case,
            }))
        }
    };
    let with = |f: Setter<Case, String>| {
        let put = put.clone();
        let case = rec.case.clone();
        Callback::from(move |v: String| {
            let mut next = case.clone();
            f(&mut next, v);
            put(next);
        })
    };
    let first = match &rec.case {
        Case::Judo(j) => j.first_visit_date,
        Case::Acupuncture(a) => a.first_visit_date,
        Case::Massage(m) => m.first_visit_date,
    };
    let set_first = with(Box::new(|c, v| {
        if let Some(d) = parse_date(&v) {
            match c {
                Case::Judo(j) => j.first_visit_date = d,
                Case::Acupuncture(a) => a.first_visit_date = d,
                Case::Massage(m) => m.first_visit_date = d,
            }
        }
    }));
    let body = match &rec.case {
        Case::Judo(j) => {
            let add = {
                let put = put.clone();
                let case = rec.case.clone();
                let today = crate::clock::today();
                Callback::from(move |_| {
                    let mut next = case.clone();
                    if let Case::Judo(j) = &mut next {
                        j.injuries
                            .push(Injury::new(InjuryKind::Sprain, String::new(), today));
                    }
                    put(next);
                })
            };
            html! {
                <>
                    { for j.injuries.iter().enumerate().map(|(i, inj)| injury_row(&app, &rec.case, i, inj, &put)) }
                    if j.injuries.is_empty() {
                        <p class="warn">{ app.t("負傷名がまだありません。「負傷を追加」で入力してください。", "No injury yet: add one.") }</p>
                    }
                    <button type="button" id="add-injury" onclick={add}>{ app.t("負傷を追加", "Add injury") }</button>
                </>
            }
        }
        Case::Acupuncture(a) => html! {
            <>
                <fieldset>
                    <legend>{ app.t("傷病名", "Diseases") }</legend>
                    { for DISEASES.iter().map(|d| {
                        let has = a.diseases.contains(d);
                        let d = *d;
                        let on = with(Box::new(move |c, _| {
                            if let Case::Acupuncture(a) = c {
                                if a.diseases.contains(&d) { a.diseases.retain(|x| *x != d) } else { a.diseases.push(d) }
                            }
                        }));
                        let on = Callback::from(move |b: bool| on.emit(b.to_string()));
                        html! { <CheckField id={format!("disease-{d:?}").to_lowercase()} label={d.label_ja()} checked={has} onchange={on} /> }
                    }) }
                </fieldset>
                <TextField id="case-symptoms" label={ app.t("症状名（2024年10月から必須）", "Symptoms (required from Oct 2024)") }
                    value={a.symptoms.clone()} onchange={with(Box::new(|c, v| if let Case::Acupuncture(a) = c { a.symptoms = v }))} />
                { consent_fields(&app, a.consent.as_ref(), &with) }
                { outcome_fields(&app, a.outcome.as_ref(), &with) }
            </>
        },
        Case::Massage(m) => html! {
            <>
                <TextField id="case-symptoms" label={ app.t("症状（筋麻痺・関節拘縮 等）", "Symptoms") }
                    value={m.symptoms.clone()} onchange={with(Box::new(|c, v| if let Case::Massage(m) = c { m.symptoms = v }))} />
                { consent_fields(&app, m.consent.as_ref(), &with) }
                { outcome_fields(&app, m.outcome.as_ref(), &with) }
            </>
        },
    };
    let confirming = use_state(|| false);
    let ask = {
        let c = confirming.clone();
        Callback::from(move |_| c.set(true))
    };
    let cancel = {
        let c = confirming.clone();
        Callback::from(move |_| c.set(false))
    };
    let delete = {
        let state = app.state.clone();
        let id = rec.id.clone();
        let c = confirming.clone();
        Callback::from(move |_| {
            c.set(false);
            state.dispatch(Action::Edit(Edit::DeleteCase { id: id.clone() }));
        })
    };
    html! {
        <section id="case-editor" class="panel" aria-labelledby="case-heading">
            <h2 id="case-heading">{ case_title(app.lang(), rec) }</h2>
            <TextField id="case-first-visit" kind="date" label={ app.t("初検日", "First visit") }
                value={date_value(Some(first))} onchange={set_first} />
            { body }
            if *confirming {
                <ConfirmBox text_id="delete-case-text"
                    question={ if app.lang() == Lang::Ja {
                        format!("この施術録と施術日{}日分をすべて削除します。よろしいですか？", rec.visits.len())
                    } else {
                        format!("Delete this case and its {} visits?", rec.visits.len())
                    } }
                    confirm_id="delete-case-confirm" confirm_label={ app.t("削除する", "Delete") } onconfirm={delete}
                    cancel_id="delete-case-cancel" oncancel={cancel} />
            } else {
                <button type="button" id="delete-case" class="secondary" onclick={ask}>{ app.t("この施術録を削除", "Delete this case") }</button>
            }
        </section>
    }
}

fn injury_row(
    app: &super::AppCtx,
    case: &Case,
    i: usize,
    inj: &Injury,
    put: &(impl Fn(Case) + Clone + 'static),
) -> Html {
    let edit = |f: Setter<Injury, String>| {
        let put = put.clone();
        let case = case.clone();
        Callback::from(move |v: String| {
            let mut next = case.clone();
            if let Case::Judo(j) = &mut next {
                if let Some(x) = j.injuries.get_mut(i) {
                    f(x, v);
                }
            }
            put(next);
        })
    };
    let n = i + 1;
    let kind = format!("{:?}", inj.kind).to_lowercase();
    let side = match inj.side {
        Some(Side::Left) => "left",
        Some(Side::Right) => "right",
        Some(Side::Both) => "both",
        None => "",
    };
    let outcome = match inj.outcome.as_ref().map(|o| o.kind) {
        Some(OutcomeKind::Cured) => "cured",
        Some(OutcomeKind::Discontinued) => "discontinued",
        Some(OutcomeKind::Transferred) => "transferred",
        None => "",
    };
    html! {
        <fieldset class="injury">
            <legend>{ format!("{}{n}：{}", app.t("負傷", "Injury "), inj.name_ja()) }</legend>
            <div class="grid">
                <SelectField id={format!("injury-{n}-kind")} label={ app.t("負傷名", "Kind") } value={kind}
                    options={INJURY_KINDS.iter().map(|k| (format!("{k:?}").to_lowercase(), k.label_ja().to_string())).collect::<Vec<_>>()}
                    onchange={edit(Box::new(|x, v| if let Some(k) = INJURY_KINDS.iter().find(|k| format!("{k:?}").to_lowercase() == v) { x.kind = *k }))} />
                <TextField id={format!("injury-{n}-site")} label={ app.t("部位（例：足関節）", "Site") } value={inj.site.clone()}
                    onchange={edit(Box::new(|x, v| x.site = v))} />
                <SelectField id={format!("injury-{n}-side")} label={ app.t("左右", "Side") } value={side}
                    options={vec![(String::new(), "—".into()), ("left".into(), "左".into()), ("right".into(), "右".into()), ("both".into(), "両".into())]}
                    onchange={edit(Box::new(|x, v| x.side = match v.as_str() { "left" => Some(Side::Left), "right" => Some(Side::Right), "both" => Some(Side::Both), _ => None }))} />
                <TextField id={format!("injury-{n}-date")} kind="date" label={ app.t("負傷日", "Injury date") } value={date_value(Some(inj.injury_date))}
                    onchange={edit(Box::new(|x, v| if let Some(d) = parse_date(&v) { x.injury_date = d }))} />
            </div>
            <TextField id={format!("injury-{n}-cause")} label={ app.t("負傷の原因（いつ・どこで・どうして）", "Cause") } value={inj.cause.clone().unwrap_or_default()}
                onchange={edit(Box::new(|x, v| x.cause = (!v.trim().is_empty()).then_some(v)))} />
            <div class="grid">
                <SelectField id={format!("injury-{n}-outcome")} label={ app.t("転帰", "Outcome") } value={outcome}
                    options={vec![(String::new(), app.t("継続", "Continuing").into()), ("cured".into(), "治癒".into()), ("discontinued".into(), "中止".into()), ("transferred".into(), "転医".into())]}
                    onchange={edit(Box::new(|x, v| {
                        let date = x.outcome.as_ref().map(|o| o.date).unwrap_or(crate::clock::today());
                        x.outcome = match v.as_str() {
                            "cured" => Some(Outcome { kind: OutcomeKind::Cured, date }),
                            "discontinued" => Some(Outcome { kind: OutcomeKind::Discontinued, date }),
                            "transferred" => Some(Outcome { kind: OutcomeKind::Transferred, date }),
                            _ => None,
                        };
                    }))} />
                if let Some(o) = &inj.outcome {
                    <TextField id={format!("injury-{n}-outcome-date")} kind="date" label={ app.t("転帰日", "Outcome date") } value={date_value(Some(o.date))}
                        onchange={edit(Box::new(|x, v| if let (Some(o), Some(d)) = (x.outcome.as_mut(), parse_date(&v)) { o.date = d }))} />
                }
            </div>
        </fieldset>
    }
}

type With<'a> = dyn Fn(Setter<Case, String>) -> Callback<String> + 'a;

fn consent_mut(c: &mut Case) -> Option<&mut Option<Consent>> {
    match c {
        Case::Acupuncture(a) => Some(&mut a.consent),
        Case::Massage(m) => Some(&mut m.consent),
        Case::Judo(_) => None,
    }
}

fn outcome_mut(c: &mut Case) -> Option<&mut Option<Outcome>> {
    match c {
        Case::Acupuncture(a) => Some(&mut a.outcome),
        Case::Massage(m) => Some(&mut m.outcome),
        Case::Judo(_) => None,
    }
}

/// Edits the 同意; the first field typed creates it with the usual 6-month period.
fn edit_consent(c: &mut Case, f: impl Fn(&mut Consent)) {
    if let Some(slot) = consent_mut(c) {
        let today = crate::clock::today();
        let consent = slot.get_or_insert_with(|| Consent {
            date: today,
            valid_until: ukemi_core::claims::checks::after_months(today, 6),
            doctor: String::new(),
            clinic: String::new(),
        });
        f(consent);
    }
}

fn consent_fields(app: &super::AppCtx, consent: Option<&Consent>, with: &With<'_>) -> Html {
    html! {
        <fieldset>
            <legend>{ app.t("医師の同意", "Doctor's consent") }</legend>
            <div class="grid">
                <TextField id="consent-date" kind="date" label={ app.t("同意日", "Consent date") } value={date_value(consent.map(|c| c.date))}
                    onchange={with(Box::new(|c, v| if let Some(d) = parse_date(&v) { edit_consent(c, |x| x.date = d) }))} />
                <TextField id="consent-until" kind="date" label={ app.t("同意の有効期限", "Consent valid until") } value={date_value(consent.map(|c| c.valid_until))}
                    onchange={with(Box::new(|c, v| if let Some(d) = parse_date(&v) { edit_consent(c, |x| x.valid_until = d) }))} />
                <TextField id="consent-doctor" label={ app.t("同意医師", "Doctor") } value={consent.map(|c| c.doctor.clone()).unwrap_or_default()}
                    onchange={with(Box::new(|c, v| edit_consent(c, |x| x.doctor = v.clone())))} />
                <TextField id="consent-clinic" label={ app.t("医療機関", "Clinic") } value={consent.map(|c| c.clinic.clone()).unwrap_or_default()}
                    onchange={with(Box::new(|c, v| edit_consent(c, |x| x.clinic = v.clone())))} />
            </div>
        </fieldset>
    }
}

fn outcome_fields(app: &super::AppCtx, outcome: Option<&Outcome>, with: &With<'_>) -> Html {
    let kind = match outcome.map(|o| o.kind) {
        Some(OutcomeKind::Cured) => "cured",
        Some(OutcomeKind::Discontinued) => "discontinued",
        Some(OutcomeKind::Transferred) => "transferred",
        None => "",
    };
    html! {
        <div class="grid">
            <SelectField id="case-outcome" label={ app.t("転帰", "Outcome") } value={kind}
                options={vec![(String::new(), app.t("継続", "Continuing").into()), ("cured".into(), "治癒".into()), ("discontinued".into(), "中止".into()), ("transferred".into(), "転医".into())]}
                onchange={with(Box::new(|c, v| if let Some(slot) = outcome_mut(c) {
                    let date = slot.as_ref().map(|o| o.date).unwrap_or(crate::clock::today());
                    *slot = match v.as_str() {
                        "cured" => Some(Outcome { kind: OutcomeKind::Cured, date }),
                        "discontinued" => Some(Outcome { kind: OutcomeKind::Discontinued, date }),
                        "transferred" => Some(Outcome { kind: OutcomeKind::Transferred, date }),
                        _ => None,
                    };
                }))} />
            if let Some(o) = outcome {
                <TextField id="case-outcome-date" kind="date" label={ app.t("転帰日", "Outcome date") } value={date_value(Some(o.date))}
                    onchange={with(Box::new(|c, v| if let (Some(Some(o)), Some(d)) = (outcome_mut(c), parse_date(&v)) { o.date = d }))} />
            }
        </div>
    }
}

const WEEKDAYS_JA: [&str; 7] = ["日", "月", "火", "水", "木", "金", "土"];
const WEEKDAYS_EN: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// The month's visits as a calendar; a day opens its entry below.
#[function_component(Calendar)]
fn calendar(p: &CaseProps) -> Html {
    let app = use_app();
    let ja = app.lang() == Lang::Ja;
    let today = crate::clock::today();
    // This month, unless the case's last visit is older than last month (an old case, or
    // the demo's sample data): then the month of that visit.
    let opening = {
        let now = ClaimMonth::of(today);
        match p.case.visits.last().map(|v| ClaimMonth::of(v.date)) {
            Some(last) if last < now.previous() => last,
            _ => now,
        }
    };
    let month = use_state(|| opening);
    let day = use_state(|| None::<Date>);
    let rec = &p.case;
    let m = *month;
    let closed = app.state.book.is_closed(m);
    let days = days_in_month(m.year, m.month);
    let first = Date::new(m.year, m.month, 1).unwrap_or(today);
    let offset = first.weekday() as usize;
    let mut cells: Vec<Option<Date>> = vec![None; offset];
    cells.extend((1..=days).map(|d| Date::new(m.year, m.month, d).ok()));
    while !cells.len().is_multiple_of(7) {
        cells.push(None);
    }
    let move_month = |f: fn(ClaimMonth) -> ClaimMonth| {
        let month = month.clone();
        let day = day.clone();
        Callback::from(move |_| {
            month.set(f(*month));
            day.set(None);
        })
    };
    let claim = app
        .state
        .book
        .claim_input(&rec.id, m)
        .ok()
        .filter(|i| i.visits.iter().any(|v| ClaimMonth::of(v.date) == m))
        .map(|i| ukemi_core::claims::compute(&i));
    html! {
        <section id="visit-calendar" class="panel" aria-labelledby="calendar-heading">
            <h2 id="calendar-heading">{ app.t("施術日", "Visits") }{ "　" }{ if ja { m.wareki() } else { m.to_string() } }</h2>
            <div class="month-nav">
                <button type="button" id="prev-month" onclick={move_month(ClaimMonth::previous)}>{ app.t("← 前の月", "← Previous month") }</button>
                <button type="button" id="next-month" onclick={move_month(ClaimMonth::next)}>{ app.t("次の月 →", "Next month →") }</button>
            </div>
            if closed {
                <p class="warn-box" id="month-closed-note">{ app.t("この月は締め済みです。変更するには月次請求の画面で締めを解除してください。", "This month is closed; reopen it on the monthly claims screen to change it.") }</p>
            }
            <table class="calendar">
                <caption class="sr-only">{ app.t("日付を選ぶと、その日の施術を入力できます。", "Choose a day to enter its treatment.") }</caption>
                <thead><tr>{ for (0..7).map(|i| html! { <th scope="col">{ if ja { WEEKDAYS_JA[i] } else { WEEKDAYS_EN[i] } }</th> }) }</tr></thead>
                <tbody>
                    { for cells.chunks(7).map(|week| html! {
                        <tr>{ for week.iter().map(|c| match c {
                            None => html! { <td></td> },
                            Some(d) => {
                                let visited = rec.visits.iter().any(|v| v.date == *d);
                                let selected = *day == Some(*d);
                                let pick = { let day = day.clone(); let d = *d; Callback::from(move |_| day.set(Some(d))) };
                                let label = if ja {
                                    format!("{}月{}日{}", d.month(), d.day(), if visited { " 施術あり" } else { "" })
                                } else {
                                    format!("{} {}", d, if visited { "visit" } else { "" })
                                };
                                html! { <td class={classes!(visited.then_some("visited"))}>
                                    <button type="button" class="day" id={format!("day-{}", d)} aria-label={label}
                                        aria-pressed={selected.to_string()} onclick={pick}>
                                        <span aria-hidden="true">{ d.day() }{ if visited { "●" } else { "" } }</span>
                                    </button>
                                </td> }
                            }
                        }) }</tr>
                    }) }
                </tbody>
            </table>
            if let Some(d) = *day {
                <DayEntry case={rec.clone()} date={d} closed={closed} />
            }
            <div id="month-amount" class="amount" aria-live="polite">
                { match &claim {
                    None => html! { <p>{ app.t("この月の施術はまだありません。", "No visits this month yet.") }</p> },
                    Some(Err(e)) => html! { <p class="error">{ e.message_ja() }</p> },
                    Some(Ok(cs)) => match cs.first() {
                        None => html! {},
                        Some(c) => html! {
                            <>
                                <p>
                                    { app.t("実日数 ", "Days ") }<strong>{ c.visit_dates.len() }</strong>
                                    { app.t("　合計 ", "  Total ") }<strong id="amount-total">{ yen(c.total_yen.into()) }</strong>
                                    { app.t("　一部負担金 ", "  Co-payment ") }<strong id="amount-copay">{ yen(c.copay_yen.into()) }</strong>
                                    { app.t("　請求金額 ", "  Claimed ") }<strong id="amount-billed">{ yen(c.billed_yen.into()) }</strong>
                                </p>
                                if !c.findings.is_empty() {
                                    <ul class="findings" id="record-findings">
                                        { for c.findings.iter().map(|f| html! {
                                            <li class={ if f.severity == Severity::Error { "finding-error" } else { "finding-warning" } }>
                                                <strong>{ if f.severity == Severity::Error { app.t("エラー：", "Error: ") } else { app.t("要確認：", "Check: ") } }</strong>
                                                <span lang="ja">{ &f.message_ja }</span>
                                            </li>
                                        }) }
                                    </ul>
                                }
                            </>
                        },
                    },
                } }
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DayProps {
    case: CaseRecord,
    date: Date,
    closed: bool,
}

/// One day's treatment: the usual entry in one press, then adjusted box by box.
#[function_component(DayEntry)]
fn day_entry(p: &DayProps) -> Html {
    let app = use_app();
    let ja = app.lang() == Lang::Ja;
    let rec = &p.case;
    let visit = rec.visits.iter().find(|v| v.date == p.date).cloned();
    let heading = if ja {
        format!("{}の施術", p.date.wareki())
    } else {
        format!("Treatment on {}", p.date)
    };
    let set = {
        let state = app.state.clone();
        let id = rec.id.clone();
        move |visit: Visit| {
            state.dispatch(Action::Edit(Edit::SetVisit {
                case_id: id.clone(),
                visit,
            }))
        }
    };
    let Some(v) = visit else {
        let add = {
            let set = set.clone();
            let v = default_visit(&rec.case, p.date);
            Callback::from(move |_| set(v.clone()))
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
    let remove = {
        let state = app.state.clone();
        let id = rec.id.clone();
        let date = p.date;
        Callback::from(move |_| {
            state.dispatch(Action::Edit(Edit::RemoveVisit {
                case_id: id.clone(),
                date,
            }))
        })
    };
    let disabled = p.closed;
    let body = match &rec.case {
        Case::Judo(j) => html! {
            <>
                { for j.injuries.iter().enumerate().map(|(i, inj)| {
                    let part = v.parts.iter().find(|x| x.injury == i).cloned();
                    let n = i + 1;
                    let toggle = check(Box::new(move |v, on| {
                        v.parts.retain(|x| x.injury != i);
                        if on {
                            v.parts.push(PartTreatment { injury: i, cold: false, warm: false, electro: false });
                            v.parts.sort_by_key(|x| x.injury);
                        }
                    }));
                    let flag = |f: fn(&mut PartTreatment, bool)| check(Box::new(move |v, on| {
                        if let Some(x) = v.parts.iter_mut().find(|x| x.injury == i) { f(x, on) }
                    }));
                    html! {
                        <fieldset class="part">
                            <legend>{ inj.name_ja() }</legend>
                            <CheckField id={format!("part-{n}")} label={ app.t("施術した", "Treated") } checked={part.is_some()} onchange={toggle} disabled={disabled} />
                            if let Some(x) = part {
                                <CheckField id={format!("part-{n}-cold")} label="冷罨法" checked={x.cold} onchange={flag(|x, b| x.cold = b)} disabled={disabled} />
                                <CheckField id={format!("part-{n}-warm")} label="温罨法" checked={x.warm} onchange={flag(|x, b| x.warm = b)} disabled={disabled} />
                                <CheckField id={format!("part-{n}-electro")} label="電療" checked={x.electro} onchange={flag(|x, b| x.electro = b)} disabled={disabled} />
                            }
                        </fieldset>
                    }
                }) }
            </>
        },
        Case::Acupuncture(_) => html! {
            <div class="grid">
                <SelectField id="visit-techniques" label={ app.t("施術", "Technique") } value={ v.techniques.unwrap_or(1).to_string() }
                    options={vec![("1".into(), "1術（はり又はきゅう）".into()), ("2".into(), "2術（はり・きゅう併用）".into())]}
                    onchange={edit(Box::new(|v, x| v.techniques = x.parse().ok()))} disabled={disabled} />
                <CheckField id="visit-electro" label={ app.t("電療料加算", "Electrotherapy") } checked={v.electro} onchange={check(Box::new(|v, b| v.electro = b))} disabled={disabled} />
            </div>
        },
        Case::Massage(_) => html! {
            <div class="grid">
                <SelectField id="visit-local-count" label={ app.t("局所数", "Areas") } value={ v.local_count.to_string() }
                    options={(1..=5).map(|n| (n.to_string(), format!("{n}局所"))).collect::<Vec<_>>()}
                    onchange={edit(Box::new(|v, x| v.local_count = x.parse().unwrap_or(1)))} disabled={disabled} />
                <SelectField id="visit-warmth" label={ app.t("温罨法", "Warm compress") } value={ match v.warmth { Warmth::None => "none", Warmth::Warm => "warm", Warmth::WarmElectric => "warm_electric" } }
                    options={vec![("none".into(), "なし".into()), ("warm".into(), "温罨法".into()), ("warm_electric".into(), "温罨法＋電気光線器具".into())]}
                    onchange={edit(Box::new(|v, x| v.warmth = match x.as_str() { "warm" => Warmth::Warm, "warm_electric" => Warmth::WarmElectric, _ => Warmth::None }))} disabled={disabled} />
                <SelectField id="visit-deformity" label={ app.t("変形徒手矯正術（肢数）", "Manual correction (limbs)") } value={ v.deformity_limbs.to_string() }
                    options={(0..=4).map(|n| (n.to_string(), if n == 0 { "なし".to_string() } else { format!("{n}肢") })).collect::<Vec<_>>()}
                    onchange={edit(Box::new(|v, x| v.deformity_limbs = x.parse().unwrap_or(0)))} disabled={disabled} />
            </div>
        },
    };
    let mode = match &v.mode {
        VisitMode::Clinic => "clinic",
        VisitMode::Home { .. } => "home",
        VisitMode::Call { .. } => "call",
    };
    let ahaki = !matches!(rec.case, Case::Judo(_));
    html! {
        <section id="day-entry" class="day-entry" aria-labelledby="day-heading">
            <h3 id="day-heading">{ heading }</h3>
            { body }
            <div class="grid">
                <SelectField id="visit-mode" label={ app.t("施術場所", "Where") } value={mode}
                    options={vec![("clinic".into(), "通所（施術所）".into()), ("home".into(), "訪問施術（定期的）".into()), ("call".into(), "往療（突発的な求め）".into())]}
                    onchange={edit(Box::new(|v, x| v.mode = match x.as_str() {
                        "home" => VisitMode::Home { people: 1, distance_km: None },
                        "call" => VisitMode::Call { distance_km: 1.0 },
                        _ => VisitMode::Clinic,
                    }))} disabled={disabled} />
                if let VisitMode::Home { people, .. } = &v.mode {
                    <TextField id="visit-people" kind="number" label={ app.t("同一建物で施術した人数", "People treated in the building") } value={people.to_string()}
                        onchange={edit(Box::new(|v, x| if let VisitMode::Home { people, .. } = &mut v.mode { if let Ok(n) = x.trim().parse::<u32>() { *people = n.max(1) } }))} disabled={disabled} />
                }
                if let Some(km) = v.mode.distance_km() {
                    <TextField id="visit-distance" kind="number" label={ app.t("距離（km）", "Distance (km)") } value={km.to_string()}
                        onchange={edit(Box::new(|v, x| {
                            // Half-typed numbers ("1.") read as nothing: keep the last value.
                            let Ok(km) = x.trim().parse::<f64>() else { return };
                            match &mut v.mode {
                                VisitMode::Home { distance_km, .. } => *distance_km = Some(km),
                                VisitMode::Call { distance_km } => *distance_km = km,
                                VisitMode::Clinic => {}
                            }
                        }))} disabled={disabled} />
                }
            </div>
            if ahaki {
                <CheckField id="visit-report" label={ app.t("施術報告書を交付した", "Treatment report issued") } checked={v.report_issued} onchange={check(Box::new(|v, b| v.report_issued = b))} disabled={disabled} />
            }
            <CheckField id="visit-special-area" label={ app.t("特別地域加算", "Special area") } checked={v.special_area} onchange={check(Box::new(|v, b| v.special_area = b))} disabled={disabled} />
            <button type="button" id="remove-visit" class="secondary" onclick={remove} disabled={disabled}>{ app.t("この日の施術を削除", "Delete this day's treatment") }</button>
        </section>
    }
}
