//! 施術録: a patient (found by name, カナ or birthdate), their cases (柔整 負傷 / あはき 傷病
//! and 同意), a month calendar of visits, and quick entry of what was done on a day. The
//! case's own fields are in `case_editor.rs`, the calendar in `calendar.rs`, a day in
//! `day_entry.rs`.

use super::calendar::Calendar;
use super::case_editor::{case_title, CaseEditor};
use super::form::{SelectField, TextField};
use super::use_app;
use crate::state::{records, Action};
use ukemi_core::claims::{Case, Discipline};
use ukemi_core::records::{CaseRecord, Edit, PatientRecord};
use yew::prelude::*;

/// Where the cursor goes in a new case: its first field to fill.
fn first_field(kind: Discipline) -> &'static str {
    match kind {
        Discipline::Acupuncture => "disease-neuralgia",
        Discipline::Massage => "case-symptoms",
        Discipline::Judo => "new-injury-date",
    }
}

#[function_component(Records)]
pub fn records() -> Html {
    let app = use_app();
    let s = &app.state;
    let today = crate::clock::today();
    let case_id = use_state(|| None::<String>);
    // The kind a new 施術録 starts as: the clinic's own (設定), else 柔整.
    let new_kind = use_state(|| {
        s.records
            .book
            .settings
            .discipline
            .unwrap_or(Discipline::Judo)
    });
    let query = use_state(String::new);
    let patient = s
        .records
        .patient
        .as_ref()
        .and_then(|id| s.records.book.patient(id));
    let cases: Vec<&CaseRecord> = patient
        .map(|p| s.records.book.cases_of(&p.id).collect())
        .unwrap_or_default();
    let chosen = (*case_id)
        .as_ref()
        .and_then(|id| cases.iter().find(|c| &c.id == id).copied())
        .or_else(|| cases.last().copied());
    let found: Vec<&PatientRecord> = s
        .records
        .book
        .patients
        .iter()
        .filter(|p| p.matches(&query) || Some(&p.id) == s.records.patient.as_ref())
        .collect();
    let choose = {
        let state = app.state.clone();
        let case_id = case_id.clone();
        move |v: String| {
            case_id.set(None);
            state.dispatch(Action::from(records::Action::ChoosePatient(
                (!v.is_empty()).then_some(v),
            )));
        }
    };
    let choose_patient = {
        let choose = choose.clone();
        Callback::from(choose)
    };
    // Enter in the search box takes the first match: one name typed, one key.
    let pick_first = {
        let first = s
            .records
            .book
            .patients
            .iter()
            .find(|p| !query.trim().is_empty() && p.matches(&query))
            .map(|p| p.id.clone());
        let choose = choose.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(id) = first.clone() {
                choose(id);
                super::form::focus_later("records-patient");
            }
        })
    };
    let mut options = vec![(
        String::new(),
        app.t("患者を選んでください", "Choose a patient")
            .to_string(),
    )];
    options.extend(found.iter().map(|p| {
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
                state.dispatch(Action::from(records::Action::Edit(Edit::NewCase {
                    patient_id: pid,
                    case: Case::new(*kind, today),
                })));
                super::form::focus_later(first_field(*kind));
            }
        })
    };
    let lang = app.lang();
    html! {
        <>
            <h1 id="screen-heading" tabindex="-1">{ app.t("施術録", "Treatment records") }</h1>
            <section class="panel" aria-labelledby="records-patient-heading">
                <h2 id="records-patient-heading">{ app.t("患者と施術録", "Patient and case") }</h2>
                <form class="grid" onsubmit={pick_first} role="search" aria-label={ app.t("患者を探す", "Find a patient") }>
                    <TextField id="records-search" kind="search" label={ app.t("患者を探す（氏名・カナ・生年月日）", "Find a patient (name, kana, date of birth)") }
                        value={(*query).clone()} autocomplete="off"
                        hint={ app.t("Enterで最初の一致を選びます", "Enter picks the first match") }
                        onchange={ let q = query.clone(); Callback::from(move |v| q.set(v)) } />
                    <p id="records-found" class="hint" aria-live="polite">{
                        if query.trim().is_empty() { String::new() }
                        else { lang.t(format!("{}人が一致", s.records.book.patients.iter().filter(|p| p.matches(&query)).count()), format!("{} match", s.records.book.patients.iter().filter(|p| p.matches(&query)).count())) }
                    }</p>
                </form>
                <SelectField id="records-patient" label={ app.t("患者", "Patient") }
                    value={ s.records.patient.clone().unwrap_or_default() } options={options} onchange={choose_patient} />
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
                            value={new_kind.code()}
                            options={Discipline::ALL.iter().map(|d| (d.code().to_string(), match d {
                                Discipline::Judo => "柔道整復（負傷）".to_string(),
                                Discipline::Acupuncture => "はり・きゅう（傷病・同意）".to_string(),
                                Discipline::Massage => "あん摩マッサージ（症状・同意）".to_string(),
                            })).collect::<Vec<_>>()}
                            onchange={ let k = new_kind.clone(); Callback::from(move |v: String| {
                                if let Some(d) = Discipline::from_code(&v) { k.set(d) }
                            }) } />
                        <button type="button" id="new-case" onclick={create}>
                            { lang.t(format!("{}さんの施術録を作る", p.name), format!("New case for {}", p.name)) }
                        </button>
                    </div>
                } else if s.records.book.patients.is_empty() {
                    <p>{ app.t("患者がまだいません。受付で資格確認をして登録してください。", "No patients yet: check eligibility at reception first.") }</p>
                }
                if let Some((j, en)) = &s.records.edit_error {
                    <p id="records-error" class="error" role="alert">{ lang.t(j.clone(), en.clone()) }</p>
                }
            </section>
            if let Some(c) = chosen {
                <CaseEditor key={format!("e-{}", c.id)} case={c.clone()} />
                <Calendar key={format!("c-{}", c.id)} case={c.clone()} />
            }
        </>
    }
}
