//! One 施術録's own fields: 初検日, the 柔整 負傷 (kind, 部位, 負傷日, 原因, 転帰, the bone or
//! joint that picks the 整復料/固定料 row, 拘縮, a typed amount), the 柔整 case's 初検時相談支援料,
//! 長期 reasons and 医師の同意, and the あはき 傷病・症状, 同意 and 転帰. Every control that feeds
//! the claim engine carries `data-field` naming the input field it sets (the e2e test
//! `billable.rs` checks that every field of the engine's input has one).

use super::form::{dated, CheckField, ConfirmBox, DateField, SelectField, TextField};
use super::use_app;
use crate::i18n::Lang;
use crate::state::{records, Action};
use ukemi_core::claims::{
    AcuDisease, Bone, Case, ClaimMonth, Consent, DoctorConsent, Finding, Injury, InjuryKind, Joint,
    Outcome, OutcomeKind, Side,
};
use ukemi_core::records::{Book, CaseRecord, Edit};
use ukemi_core::wire_name;
use ukemi_core::Date;
use yew::prelude::*;

/// How a control's new value goes into the record it edits.
pub(super) type Setter<T, V> = Box<dyn Fn(&mut T, V)>;

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

/// The option a control's value names, if any.
fn from_key<T: serde::Serialize + Copy>(all: &[T], v: &str) -> Option<T> {
    all.iter().copied().find(|x| wire_name(x) == v)
}

pub(super) fn case_title(lang: Lang, c: &CaseRecord) -> String {
    let d = c.case.discipline();
    let first = c.case.first_visit_date();
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
    lang.t(
        format!("{}（初検 {}）{}", d.label_ja(), first.wareki(), what),
        format!("{} (first visit {}) {}", d.label_ja(), first, what),
    )
}

/// What the claim engine says about this case's own fields (`case.…`), over every month with
/// visits: each shown under its field and tied to it, so a screen reader hears it there.
fn case_findings(book: &Book, rec: &CaseRecord) -> Vec<Finding> {
    let Some(last) = rec.visits.last() else {
        return Vec::new();
    };
    let Ok(mut input) = book.claim_input(&rec.id, ClaimMonth::of(last.date)) else {
        return Vec::new();
    };
    input.month = None;
    let Ok(claims) = crate::claims_memo::case_claims(&rec.id, &input) else {
        return Vec::new();
    };
    let mut out: Vec<Finding> = Vec::new();
    for f in claims.into_iter().flat_map(|c| c.findings) {
        if f.field.starts_with("case.")
            && !out.iter().any(|o| o.field == f.field && o.code == f.code)
        {
            out.push(f);
        }
    }
    out
}

/// The findings of one case, looked up by the field they are about.
struct Notes {
    findings: Vec<Finding>,
    lang: Lang,
}

impl Notes {
    fn about(&self, path: &str) -> bool {
        self.findings.iter().any(|f| f.field == path)
    }
    /// The findings about `path`, under its control `id` (as `{id}-finding`).
    fn note(&self, path: &str, id: &str) -> Html {
        let texts: Vec<String> = self
            .findings
            .iter()
            .filter(|f| f.field == path)
            .map(|f| {
                if self.lang == Lang::Ja || f.message_en.is_empty() {
                    f.message_ja.clone()
                } else {
                    f.message_en.clone()
                }
            })
            .collect();
        if texts.is_empty() {
            return html! {};
        }
        html! { <p id={format!("{id}-finding")} class="error field-finding">{ texts.join(" ") }</p> }
    }
    fn id(id: &str) -> AttrValue {
        AttrValue::from(format!("{id}-finding"))
    }
}

#[derive(Properties, PartialEq)]
pub struct CaseProps {
    pub case: CaseRecord,
}

/// Edits a case field by field; each change is saved as a whole new case value.
#[function_component(CaseEditor)]
pub fn case_editor(p: &CaseProps) -> Html {
    let app = use_app();
    let rec = &p.case;
    let notes = Notes {
        findings: case_findings(&app.state.records.book, rec),
        lang: app.lang(),
    };
    let new_injury_date = use_state(|| None::<Date>);
    let new_injury_error = use_state(|| false);
    let put = {
        let state = app.state.clone();
        let id = rec.id.clone();
        move |case: Case| {
            state.dispatch(Action::from(records::Action::Edit(Edit::PutCase {
                id: id.clone(),
                case,
            })))
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
    let set_first = dated(with(Box::new(|c, v| {
        if let Ok(d) = Date::parse(&v) {
            c.set_first_visit_date(d);
        }
    })));
    let body = match &rec.case {
        Case::Judo(j) => {
            // A 負傷 is added with its own 負傷日, typed first: never silently today.
            let add = {
                let put = put.clone();
                let case = rec.case.clone();
                let date = new_injury_date.clone();
                let error = new_injury_error.clone();
                Callback::from(move |_| {
                    let Some(d) = *date else {
                        error.set(true);
                        super::form::focus_later("new-injury-date");
                        return;
                    };
                    let mut next = case.clone();
                    if let Case::Judo(j) = &mut next {
                        j.injuries
                            .push(Injury::new(InjuryKind::Sprain, String::new(), d));
                        // Its 部位 is the next thing to type.
                        super::form::focus_later(format!("injury-{}-site", j.injuries.len()));
                    }
                    error.set(false);
                    date.set(None);
                    put(next);
                })
            };
            let set_new_date = {
                let date = new_injury_date.clone();
                let error = new_injury_error.clone();
                Callback::from(move |d: Date| {
                    date.set(Some(d));
                    error.set(false);
                })
            };
            html! {
                <>
                    { for j.injuries.iter().enumerate().map(|(i, inj)| injury_row(&app, &notes, &rec.case, i, inj, &put)) }
                    if j.injuries.is_empty() {
                        <p class="warn">{ app.t("負傷名がまだありません。負傷日を入れて「負傷を追加」を押してください。", "No injury yet: type its date and add it.") }</p>
                    }
                    <div class="grid add-injury" data-field="judo.injuries">
                        <DateField id="new-injury-date" label={ app.t("追加する負傷の負傷日", "Date of the injury to add") }
                            value={*new_injury_date} era={"令和"} onchange={set_new_date}
                            invalid={*new_injury_error || notes.about("case.injuries")}
                            error_id={ if *new_injury_error { "new-injury-error".into() } else { Notes::id("new-injury-date") } } />
                        <button type="button" id="add-injury" onclick={add}>{ app.t("負傷を追加", "Add injury") }</button>
                    </div>
                    <p id="new-injury-error" class="error" role="alert">{
                        if *new_injury_error { app.t("負傷日を入力してから追加してください。", "Type the injury's date first.") } else { "" }
                    }</p>
                    { notes.note("case.injuries", "new-injury-date") }
                    { judo_case_fields(&app, &notes, j, &with) }
                </>
            }
        }
        Case::Acupuncture(a) => html! {
            <>
                <fieldset data-field="acupuncture.diseases" aria-invalid={ notes.about("case.diseases").then_some("true") }
                    aria-describedby={ notes.about("case.diseases").then(|| Notes::id("case-diseases")) }>
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
                    { notes.note("case.diseases", "case-diseases") }
                    if a.diseases.contains(&AcuDisease::Other) {
                        <div data-field="acupuncture.other_disease">
                            <TextField id="case-other-disease" label={ app.t("その他の傷病名", "Other disease") }
                                value={a.other_disease.clone().unwrap_or_default()}
                                onchange={with(Box::new(|c, v| if let Case::Acupuncture(a) = c { a.other_disease = (!v.trim().is_empty()).then_some(v) }))} />
                        </div>
                    }
                </fieldset>
                <div data-field="acupuncture.symptoms">
                    <TextField id="case-symptoms" label={ app.t("症状名（2024年10月から必須）", "Symptoms (required from Oct 2024)") }
                        invalid={notes.about("case.symptoms")} error_id={Notes::id("case-symptoms")}
                        value={a.symptoms.clone()} onchange={with(Box::new(|c, v| if let Case::Acupuncture(a) = c { a.symptoms = v }))} />
                    { notes.note("case.symptoms", "case-symptoms") }
                </div>
                { consent_fields(&app, &notes, "acupuncture", a.consent.as_ref(), &a.reconsents, &with) }
                { outcome_fields(&app, "acupuncture", a.outcome.as_ref(), &with) }
            </>
        },
        Case::Massage(m) => html! {
            <>
                <div data-field="massage.symptoms">
                    <TextField id="case-symptoms" label={ app.t("症状（筋麻痺・関節拘縮 等）", "Symptoms") }
                        invalid={notes.about("case.symptoms")} error_id={Notes::id("case-symptoms")}
                        value={m.symptoms.clone()} onchange={with(Box::new(|c, v| if let Case::Massage(m) = c { m.symptoms = v }))} />
                    { notes.note("case.symptoms", "case-symptoms") }
                </div>
                { consent_fields(&app, &notes, "massage", m.consent.as_ref(), &m.reconsents, &with) }
                { outcome_fields(&app, "massage", m.outcome.as_ref(), &with) }
            </>
        },
    };
    let confirming = use_state(|| false);
    let ask = {
        let c = confirming.clone();
        Callback::from(move |_| {
            c.set(true);
            super::form::focus_later("delete-case-text");
        })
    };
    let cancel = {
        let c = confirming.clone();
        Callback::from(move |_| {
            c.set(false);
            super::form::focus_later("delete-case");
        })
    };
    let delete = {
        let state = app.state.clone();
        let id = rec.id.clone();
        let c = confirming.clone();
        Callback::from(move |_| {
            c.set(false);
            state.dispatch(Action::from(records::Action::Edit(Edit::DeleteCase {
                id: id.clone(),
            })));
            super::form::focus_later("records-patient");
        })
    };
    let discipline = wire_name(&rec.case.discipline());
    html! {
        <section id="case-editor" class="panel" aria-labelledby="case-heading">
            <h2 id="case-heading">{ case_title(app.lang(), rec) }</h2>
            <div data-field={format!("{discipline}.first_visit_date")}>
                <DateField id="case-first-visit" label={ app.t("初検日", "First visit") } era={"令和"}
                    value={Some(rec.case.first_visit_date())} onchange={set_first} />
            </div>
            { body }
            if *confirming {
                <ConfirmBox text_id="delete-case-text"
                    question={ app.t(format!("この施術録と施術日{}日分をすべて削除します。よろしいですか？", rec.visits.len()), format!("Delete this case and its {} visits?", rec.visits.len())) }
                    confirm_id="delete-case-confirm" confirm_label={ app.t("削除する", "Delete") } onconfirm={delete}
                    cancel_id="delete-case-cancel" oncancel={cancel} />
            } else {
                <button type="button" id="delete-case" class="secondary" onclick={ask}>{ app.t("この施術録を削除", "Delete this case") }</button>
            }
            <super::nav::BackToScreens id="case-to-screens" />
        </section>
    }
}

type With<'a> = dyn Fn(Setter<Case, String>) -> Callback<String> + 'a;

fn judo_mut(c: &mut Case) -> Option<&mut ukemi_core::claims::JudoCase> {
    match c {
        Case::Judo(j) => Some(j),
        _ => None,
    }
}

/// The 柔整 case's own claims: 初検時相談支援料, the 長期 reasons, 医師の同意 (骨折・脱臼 後療).
fn judo_case_fields(
    app: &super::AppCtx,
    notes: &Notes,
    j: &ukemi_core::claims::JudoCase,
    with: &With<'_>,
) -> Html {
    let consult = {
        let on = with(Box::new(|c, v| {
            if let Some(j) = judo_mut(c) {
                j.consult_support = v == "true";
            }
        }));
        Callback::from(move |b: bool| on.emit(b.to_string()))
    };
    let edit_consent = |f: fn(&mut DoctorConsent, String)| {
        with(Box::new(move |c, v| {
            if let Some(j) = judo_mut(c) {
                let today = crate::clock::today();
                let consent = j.doctor_consent.get_or_insert_with(|| DoctorConsent {
                    date: today,
                    clinic: String::new(),
                    doctor: String::new(),
                });
                f(consent, v);
            }
        }))
    };
    let dc = j.doctor_consent.as_ref();
    html! {
        <fieldset class="judo-case">
            <legend>{ app.t("この施術録の算定", "Claims of this case") }</legend>
            <div data-field="judo.consult_support">
                <CheckField id="case-consult-support" label={ app.t("初検時相談支援料（初検日に相談支援を行った）", "First-visit consultation support (on the first visit)") }
                    checked={j.consult_support} onchange={consult} />
            </div>
            <div data-field="judo.long_term_reason">
                <TextField id="case-long-term-reason" label={ app.t("長期施術継続理由（打撲・捻挫・挫傷が3か月を超えるとき）", "Reason for treatment beyond 3 months") }
                    invalid={notes.about("case.long_term_reason")} error_id={Notes::id("case-long-term-reason")}
                    value={j.long_term_reason.clone().unwrap_or_default()}
                    onchange={with(Box::new(|c, v| if let Some(j) = judo_mut(c) { j.long_term_reason = (!v.trim().is_empty()).then_some(v) }))} />
                { notes.note("case.long_term_reason", "case-long-term-reason") }
            </div>
            <div data-field="judo.long_term_frequent_reason">
                <TextField id="case-long-term-frequent-reason" label={ app.t("長期頻回理由（長期で月10回以上のとき）", "Reason for frequent long-term visits") }
                    invalid={notes.about("case.long_term_frequent_reason")} error_id={Notes::id("case-long-term-frequent-reason")}
                    value={j.long_term_frequent_reason.clone().unwrap_or_default()}
                    onchange={with(Box::new(|c, v| if let Some(j) = judo_mut(c) { j.long_term_frequent_reason = (!v.trim().is_empty()).then_some(v) }))} />
                { notes.note("case.long_term_frequent_reason", "case-long-term-frequent-reason") }
            </div>
            <fieldset data-field="judo.doctor_consent">
                <legend>{ app.t("医師の同意（骨折・脱臼の後療）", "Doctor's consent (fracture or dislocation aftercare)") }</legend>
                <div class="grid">
                    <DateField id="doctor-consent-date" label={ app.t("同意日", "Consent date") } era={"令和"} value={dc.map(|c| c.date)}
                        onchange={dated(edit_consent(|c, v| if let Ok(d) = Date::parse(&v) { c.date = d }))} />
                    <TextField id="doctor-consent-doctor" label={ app.t("同意医師", "Doctor") } value={dc.map(|c| c.doctor.clone()).unwrap_or_default()}
                        onchange={edit_consent(|c, v| c.doctor = v)} />
                    <TextField id="doctor-consent-clinic" label={ app.t("医療機関", "Clinic") } value={dc.map(|c| c.clinic.clone()).unwrap_or_default()}
                        onchange={edit_consent(|c, v| c.clinic = v)} />
                </div>
            </fieldset>
        </fieldset>
    }
}

fn injury_row(
    app: &super::AppCtx,
    notes: &Notes,
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
    let path = format!("case.injuries[{i}]");
    let cause_path = format!("{path}.cause");
    let date_path = format!("{path}.injury_date");
    let fee_id = format!("injury-{n}-fee");
    let side = match inj.side {
        Some(Side::Left) => "left",
        Some(Side::Right) => "right",
        Some(Side::Both) => "both",
        None => "",
    };
    let outcome = inj
        .outcome
        .as_ref()
        .map(|o| wire_name(&o.kind))
        .unwrap_or_default();
    let fracture = inj.kind.is_fracture();
    let dislocation = inj.kind == InjuryKind::Dislocation;
    let contracture = {
        let on = edit(Box::new(|x, v| x.contracture = v == "true"));
        Callback::from(move |b: bool| on.emit(b.to_string()))
    };
    html! {
        <fieldset class="injury">
            <legend>{ format!("{}{n}：{}", app.t("負傷", "Injury "), inj.name_ja()) }</legend>
            <div class="grid">
                <div data-field="injury.kind">
                    <SelectField id={format!("injury-{n}-kind")} label={ app.t("負傷名", "Kind") } value={wire_name(&inj.kind)}
                        options={INJURY_KINDS.iter().map(|k| (wire_name(k), k.label_ja().to_string())).collect::<Vec<_>>()}
                        onchange={edit(Box::new(|x, v| if let Some(k) = from_key(&INJURY_KINDS, &v) { x.kind = k }))} />
                </div>
                <div data-field="injury.site">
                    <TextField id={format!("injury-{n}-site")} label={ app.t("部位（例：足関節）", "Site") } value={inj.site.clone()}
                        onchange={edit(Box::new(|x, v| x.site = v))} />
                </div>
                <div data-field="injury.side">
                    <SelectField id={format!("injury-{n}-side")} label={ app.t("左右", "Side") } value={side}
                        options={vec![(String::new(), "—".into()), ("left".into(), "左".into()), ("right".into(), "右".into()), ("both".into(), "両".into())]}
                        onchange={edit(Box::new(|x, v| x.side = match v.as_str() { "left" => Some(Side::Left), "right" => Some(Side::Right), "both" => Some(Side::Both), _ => None }))} />
                </div>
                <div data-field="injury.injury_date">
                    <DateField id={format!("injury-{n}-date")} label={ app.t("負傷日", "Injury date") } era={"令和"} value={Some(inj.injury_date)}
                        invalid={notes.about(&date_path)} error_id={Notes::id(&format!("injury-{n}-date"))}
                        onchange={dated(edit(Box::new(|x, v| if let Ok(d) = Date::parse(&v) { x.injury_date = d })))} />
                    { notes.note(&date_path, &format!("injury-{n}-date")) }
                </div>
            </div>
            if fracture || dislocation {
                <div class="grid">
                    if fracture {
                        <div data-field="injury.bone">
                            <SelectField id={format!("injury-{n}-bone")} label={ app.t("骨（整復料・固定料の区分）", "Bone (fee row)") }
                                invalid={notes.about(&path)} error_id={Notes::id(&fee_id)}
                                value={inj.bone.map(|b| wire_name(&b)).unwrap_or_default()}
                                options={std::iter::once((String::new(), app.t("選んでください", "Choose").to_string()))
                                    .chain(Bone::ALL.iter().map(|b| (wire_name(b), b.label_ja().to_string()))).collect::<Vec<_>>()}
                                onchange={edit(Box::new(|x, v| x.bone = from_key(&Bone::ALL, &v)))} />
                        </div>
                        <div data-field="injury.contracture">
                            <CheckField id={format!("injury-{n}-contracture")} label={ app.t("拘縮が2関節以上（医師の後療依頼あり）", "Contracture over 2+ joints (doctor's request)") }
                                checked={inj.contracture} onchange={contracture} />
                        </div>
                    }
                    if dislocation {
                        <div data-field="injury.joint">
                            <SelectField id={format!("injury-{n}-joint")} label={ app.t("関節（整復料の区分）", "Joint (fee row)") }
                                invalid={notes.about(&path)} error_id={Notes::id(&fee_id)}
                                value={inj.joint.map(|j| wire_name(&j)).unwrap_or_default()}
                                options={std::iter::once((String::new(), app.t("選んでください", "Choose").to_string()))
                                    .chain(Joint::ALL.iter().map(|j| (wire_name(j), j.label_ja().to_string()))).collect::<Vec<_>>()}
                                onchange={edit(Box::new(|x, v| x.joint = from_key(&Joint::ALL, &v)))} />
                        </div>
                    }
                    <div data-field="injury.manual_first_fee_yen">
                        <TextField id={format!("injury-{n}-manual-fee")} kind="number"
                            label={ app.t("整復料・固定料（料金表にない骨・関節のとき、円）", "Reduction/fixation fee when the table has no row (yen)") }
                            value={inj.manual_first_fee_yen.map(|y| y.to_string()).unwrap_or_default()}
                            onchange={edit(Box::new(|x, v| x.manual_first_fee_yen = v.trim().parse().ok()))} />
                    </div>
                </div>
                { notes.note(&path, &fee_id) }
            }
            <div data-field="injury.cause">
                <TextField id={format!("injury-{n}-cause")} label={ app.t("負傷の原因（いつ・どこで・どうして）", "Cause") } value={inj.cause.clone().unwrap_or_default()}
                    invalid={notes.about(&cause_path)} error_id={Notes::id(&format!("injury-{n}-cause"))}
                    onchange={edit(Box::new(|x, v| x.cause = (!v.trim().is_empty()).then_some(v)))} />
                { notes.note(&cause_path, &format!("injury-{n}-cause")) }
            </div>
            <div class="grid" data-field="injury.outcome">
                <SelectField id={format!("injury-{n}-outcome")} label={ app.t("転帰", "Outcome") } value={outcome}
                    options={outcome_options(app)}
                    onchange={edit(Box::new(|x, v| {
                        let date = x.outcome.as_ref().map(|o| o.date).unwrap_or(crate::clock::today());
                        x.outcome = outcome_kind(&v).map(|kind| Outcome { kind, date });
                    }))} />
                if let Some(o) = &inj.outcome {
                    <DateField id={format!("injury-{n}-outcome-date")} label={ app.t("転帰日", "Outcome date") } era={"令和"} value={Some(o.date)}
                        onchange={dated(edit(Box::new(|x, v| if let (Some(o), Ok(d)) = (x.outcome.as_mut(), Date::parse(&v)) { o.date = d })))} />
                }
            </div>
        </fieldset>
    }
}

const OUTCOMES: [OutcomeKind; 3] = [
    OutcomeKind::Cured,
    OutcomeKind::Discontinued,
    OutcomeKind::Transferred,
];

fn outcome_kind(v: &str) -> Option<OutcomeKind> {
    from_key(&OUTCOMES, v)
}

fn outcome_options(app: &super::AppCtx) -> Vec<(String, String)> {
    std::iter::once((String::new(), app.t("継続", "Continuing").to_string()))
        .chain(
            OUTCOMES
                .iter()
                .map(|o| (wire_name(o), o.label_ja().to_string())),
        )
        .collect()
}

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
            deformity: false,
        });
        f(consent);
    }
}

fn consent_fields(
    app: &super::AppCtx,
    notes: &Notes,
    kind: &str,
    consent: Option<&Consent>,
    reconsents: &[Consent],
    with: &With<'_>,
) -> Html {
    html! {
        <>
        <fieldset data-field={format!("{kind}.consent")}>
            <legend>{ app.t("医師の同意", "Doctor's consent") }</legend>
            <div class="grid">
                <DateField id="consent-date" label={ app.t("同意日", "Consent date") } era={"令和"} value={consent.map(|c| c.date)}
                    invalid={notes.about("case.consent")} error_id={Notes::id("consent-date")}
                    onchange={dated(with(Box::new(|c, v| if let Ok(d) = Date::parse(&v) { edit_consent(c, |x| x.date = d) })))} />
                <DateField id="consent-until" label={ app.t("同意の有効期限", "Consent valid until") } era={"令和"} value={consent.map(|c| c.valid_until)}
                    onchange={dated(with(Box::new(|c, v| if let Ok(d) = Date::parse(&v) { edit_consent(c, |x| x.valid_until = d) })))} />
                <TextField id="consent-doctor" label={ app.t("同意医師", "Doctor") } value={consent.map(|c| c.doctor.clone()).unwrap_or_default()}
                    onchange={with(Box::new(|c, v| edit_consent(c, |x| x.doctor = v.clone())))} />
                <TextField id="consent-clinic" label={ app.t("医療機関", "Clinic") } value={consent.map(|c| c.clinic.clone()).unwrap_or_default()}
                    onchange={with(Box::new(|c, v| edit_consent(c, |x| x.clinic = v.clone())))} />
                <CheckField id="consent-deformity" label={ app.t("変形徒手矯正術の同意書（期間は1か月）", "Consent for 変形徒手矯正術 (one month)") }
                    checked={consent.is_some_and(|c| c.deformity)}
                    onchange={ let cb = with(Box::new(|c, v| edit_consent(c, |x| x.deformity = v == "true"))); Callback::from(move |b: bool| cb.emit(b.to_string())) } />
            </div>
            { notes.note("case.consent", "consent-date") }
        </fieldset>
        <fieldset data-field={format!("{kind}.reconsents")}>
            <legend>{ app.t("再同意", "Renewed consent") }</legend>
            if !reconsents.is_empty() {
                <ul class="consent-history">
                    { for reconsents.iter().map(|r| html! {
                        <li lang="ja">{ format!("{}（{}まで）{}", r.date.wareki(), r.valid_until.wareki(), r.doctor) }</li>
                    }) }
                </ul>
            }
            <DateField id="reconsent-add" label={ app.t("再同意日を追加（期間は規則どおり）", "Add a renewed consent (period by the rules)") } era={"令和"} value={None::<Date>}
                onchange={dated(with(Box::new(|c, v| if let Ok(d) = Date::parse(&v) { add_reconsent(c, d) })))} />
        </fieldset>
        </>
    }
}

/// 再同意 on `d`, for the period the rules allow (core::claims::consent), by the last doctor.
fn add_reconsent(c: &mut Case, d: Date) {
    let list = match c {
        Case::Acupuncture(a) => (
            a.reconsents.last().or(a.consent.as_ref()).cloned(),
            &mut a.reconsents,
        ),
        Case::Massage(m) => (
            m.reconsents.last().or(m.consent.as_ref()).cloned(),
            &mut m.reconsents,
        ),
        Case::Judo(_) => return,
    };
    let (prev, reconsents) = list;
    if reconsents.iter().any(|r| r.date == d) {
        return;
    }
    reconsents.push(Consent {
        date: d,
        valid_until: ukemi_core::claims::consent::rule_until(d, false),
        doctor: prev.as_ref().map(|p| p.doctor.clone()).unwrap_or_default(),
        clinic: prev.map(|p| p.clinic).unwrap_or_default(),
        deformity: false,
    });
    reconsents.sort_by_key(|r| r.date);
}

fn outcome_fields(
    app: &super::AppCtx,
    kind: &str,
    outcome: Option<&Outcome>,
    with: &With<'_>,
) -> Html {
    let value = outcome.map(|o| wire_name(&o.kind)).unwrap_or_default();
    html! {
        <div class="grid" data-field={format!("{kind}.outcome")}>
            <SelectField id="case-outcome" label={ app.t("転帰", "Outcome") } value={value}
                options={outcome_options(app)}
                onchange={with(Box::new(|c, v| if let Some(slot) = outcome_mut(c) {
                    let date = slot.as_ref().map(|o| o.date).unwrap_or(crate::clock::today());
                    *slot = outcome_kind(&v).map(|kind| Outcome { kind, date });
                }))} />
            if let Some(o) = outcome {
                <DateField id="case-outcome-date" label={ app.t("転帰日", "Outcome date") } era={"令和"} value={Some(o.date)}
                    onchange={dated(with(Box::new(|c, v| if let (Some(Some(o)), Ok(d)) = (outcome_mut(c), Date::parse(&v)) { o.date = d })))} />
            }
        </div>
    }
}
