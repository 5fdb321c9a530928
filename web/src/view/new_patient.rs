//! 手入力で登録: a patient typed from the 資格確認書 when no online check can be made (the
//! service is down, the companion is not running). The book checks the numbers as far as it
//! can offline and refuses a second registration of the same person; the draft is kept in
//! the tab's `sessionStorage` so a reload loses nothing typed, and dropped once registered.

use super::form::{DateField, SelectField, TextField};
use super::use_app;
use crate::state::{records, Action};
use serde::{Deserialize, Serialize};
use ukemi_core::claims::{Insurance, PatientSex};
use ukemi_core::eligibility::PersonalFamily;
use ukemi_core::records::{Edit, NewPatient, RecordError};
use yew::prelude::*;

const DRAFT_KEY: &str = "ukemi.new-patient";

/// The form as typed, every field a string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct Draft {
    name: String,
    kana: String,
    birth: String,
    sex: String,
    postal: String,
    address: String,
    insurer: String,
    insurer_name: String,
    symbol: String,
    number: String,
    branch: String,
    person: String,
    holder_name: String,
    holder_address: String,
    copay: String,
    valid_from: String,
    valid_until: String,
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn load_draft() -> Draft {
    session()
        .and_then(|s| s.get_item(DRAFT_KEY).ok().flatten())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn keep_draft(d: &Draft) {
    if let Some(s) = session() {
        let _ = if *d == Draft::default() {
            s.remove_item(DRAFT_KEY)
        } else {
            serde_json::to_string(d).map_or(Ok(()), |t| s.set_item(DRAFT_KEY, &t))
        };
    }
}

/// Starts (or updates) the draft with the numbers reception typed for a check the service
/// could not answer, so they are not typed twice.
pub(crate) fn draft_from_numbers(
    insurer: &str,
    symbol: &str,
    number: &str,
    branch: &str,
    birth: &str,
) {
    let mut d = load_draft();
    d.insurer = insurer.trim().to_string();
    d.symbol = symbol.trim().to_string();
    d.number = number.trim().to_string();
    d.branch = branch.trim().to_string();
    d.birth = birth.trim().to_string();
    keep_draft(&d);
}

impl Draft {
    /// What the book is asked to add, or the field that keeps it from being one (ja, en).
    fn patient(&self) -> Result<NewPatient, (&'static str, &'static str)> {
        let Some(birth_date) = super::form::parse_date(&self.birth) else {
            return Err(("生年月日を入力してください。", "Enter the date of birth."));
        };
        let person = if self.person == "dependent" {
            PersonalFamily::Dependent
        } else {
            PersonalFamily::Insured
        };
        Ok(NewPatient {
            name: self.name.clone(),
            name_kana: ukemi_core::text::to_fullwidth_kana(&self.kana),
            birth_date,
            sex: match self.sex.as_str() {
                "male" => Some(PatientSex::Male),
                "female" => Some(PatientSex::Female),
                _ => None,
            },
            address: self.address.clone(),
            postal_code: self.postal.clone(),
            insurer_name: self.insurer_name.clone(),
            insurance: Insurance {
                insurer_number: self.insurer.clone(),
                symbol: self.symbol.clone(),
                number: self.number.clone(),
                branch: Some(self.branch.clone()),
                holder_name: self.holder_name.clone(),
                holder_address: self.holder_address.clone(),
                person,
                copay_percent: self.copay.parse().unwrap_or(30),
                elderly_recipient: false,
                valid_from: super::form::parse_date(&self.valid_from),
                valid_until: super::form::parse_date(&self.valid_until),
            },
        })
    }
}

/// The field a refusal is about, to mark it and put the cursor there.
fn field_of(e: &RecordError) -> &'static str {
    match e {
        RecordError::NameRequired | RecordError::AlreadyRegistered { .. } => "new-name",
        RecordError::InsurerNumber { .. } => "new-insurer",
        RecordError::InsuredNumberRequired => "new-number",
        RecordError::CopayPercent { .. } => "new-copay",
        RecordError::ValidityPeriod => "new-valid-until",
        _ => "new-patient-register",
    }
}

#[function_component(NewPatientForm)]
pub fn new_patient_form() -> Html {
    let app = use_app();
    let lang = app.lang();
    let draft = use_state(load_draft);
    let error = use_state(|| None::<(String, String, &'static str)>);
    let set = |f: fn(&mut Draft, String)| {
        let draft = draft.clone();
        Callback::from(move |v: String| {
            let mut next = (*draft).clone();
            f(&mut next, v);
            keep_draft(&next);
            draft.set(next);
        })
    };
    let set_date = |f: fn(&mut Draft, String)| {
        let set = set(f);
        Callback::from(move |d: ukemi_core::Date| set.emit(d.to_string()))
    };
    let onsubmit = {
        let draft = draft.clone();
        let error = error.clone();
        let state = app.state.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let patient = match draft.patient() {
                Ok(p) => p,
                Err((j, en)) => {
                    error.set(Some((j.into(), en.into(), "new-birth")));
                    super::form::focus_later("new-birth");
                    return;
                }
            };
            let edit = Edit::AddPatient {
                patient,
                on: crate::clock::today(),
            };
            // Tried on a copy first, so a refusal is shown here with the draft kept, and
            // the draft is dropped only when the book will take it.
            let mut trial = (*state.records.book).clone();
            match trial.apply(edit.clone()) {
                Ok(_) => {
                    error.set(None);
                    keep_draft(&Draft::default());
                    draft.set(Draft::default());
                    state.dispatch(Action::from(records::Action::Edit(edit)));
                    // The form closes; the new patient's details take the focus.
                    super::form::focus_later("patient-detail-heading");
                }
                Err(e) => {
                    crate::log::warn("patient.add_refused", &format!("kind={}", e.kind()));
                    let field = field_of(&e);
                    error.set(Some((e.message_ja(), e.message_en(), field)));
                    super::form::focus_later(field);
                }
            }
        })
    };
    let d = &*draft;
    let dependent = d.person == "dependent";
    let bad = |id: &str| error.as_ref().is_some_and(|(_, _, f)| *f == id);
    html! {
        <details id="new-patient" class="panel" open={ *d != Draft::default() || error.is_some() }>
            <summary id="new-patient-summary">{ app.t("手入力で登録（オンライン資格確認ができないとき）", "Register by hand (when no online check can be made)") }</summary>
            <p class="hint">{ app.t(
                "資格確認書などを見て入力します。保険者番号は検証番号まで確かめます。請求のときは「資格確認の記録なし」と表示されます。あとで資格確認をすると、この患者の記録に反映されます。",
                "Type from the patient's 資格確認書. The insurer number's check digit is verified. Claims say there is no online check on record until a later check updates this patient."
            ) }</p>
            <form onsubmit={onsubmit} novalidate=true aria-describedby="new-patient-error">
                <fieldset class="grid">
                    <legend>{ app.t("患者", "Patient") }</legend>
                    <TextField id="new-name" invalid={bad("new-name")} error_id="new-patient-error" label={ app.t("氏名", "Name") } value={d.name.clone()} required=true
                        autocomplete="off" onchange={set(|d, v| d.name = v)} />
                    <TextField id="new-kana" label={ app.t("カナ", "Kana") } value={d.kana.clone()}
                        autocomplete="off" onchange={set(|d, v| d.kana = v)} />
                    <DateField id="new-birth" invalid={bad("new-birth")} error_id="new-patient-error" label={ app.t("生年月日", "Date of birth") }
                        value={super::form::parse_date(&d.birth)} required=true era_choice=true
                        onchange={set_date(|d, v| d.birth = v)} />
                    <SelectField id="new-sex" label={ app.t("性別", "Sex") } value={d.sex.clone()}
                        options={vec![
                            (String::new(), app.t("未設定", "Not set").to_string()),
                            ("male".into(), app.t("男", "Male").to_string()),
                            ("female".into(), app.t("女", "Female").to_string()),
                        ]}
                        onchange={set(|d, v| d.sex = v)} />
                    <TextField id="new-postal" label={ app.t("郵便番号", "Postal code") } value={d.postal.clone()}
                        autocomplete="off" onchange={set(|d, v| d.postal = v)} />
                    <TextField id="new-address" label={ app.t("住所", "Address") } value={d.address.clone()}
                        autocomplete="off" onchange={set(|d, v| d.address = v)} />
                    <super::postal_lookup::PostalLookup id="new" postal={Some(AttrValue::from(d.postal.clone()))} address={d.address.clone()}
                        on_address={set(|d, v| d.address = v)} on_postal={Some(set(|d, v| d.postal = v))} />
                </fieldset>
                <fieldset class="grid">
                    <legend>{ app.t("保険（資格確認書の記載どおり）", "Insurance (as on the 資格確認書)") }</legend>
                    <TextField id="new-insurer" invalid={bad("new-insurer")} error_id="new-patient-error" label={ app.t("保険者番号", "Insurer number") } value={d.insurer.clone()} required=true
                        hint={ app.t("6桁（国保）または8桁", "6 digits (国保) or 8") } autocomplete="off"
                        onchange={set(|d, v| d.insurer = v)} />
                    <TextField id="new-insurer-name" label={ app.t("保険者名", "Insurer name") } value={d.insurer_name.clone()}
                        autocomplete="off" onchange={set(|d, v| d.insurer_name = v)} />
                    <TextField id="new-symbol" label={ app.t("記号", "Symbol") } value={d.symbol.clone()}
                        autocomplete="off" onchange={set(|d, v| d.symbol = v)} />
                    <TextField id="new-number" invalid={bad("new-number")} error_id="new-patient-error" label={ app.t("番号", "Number") } value={d.number.clone()} required=true
                        autocomplete="off" onchange={set(|d, v| d.number = v)} />
                    <TextField id="new-branch" label={ app.t("枝番", "Branch") } value={d.branch.clone()}
                        autocomplete="off" onchange={set(|d, v| d.branch = v)} />
                    <SelectField id="new-person" label={ app.t("本人・家族", "Insured or dependent") } value={ if dependent { "dependent" } else { "insured" } }
                        options={vec![
                            ("insured".into(), app.t("本人", "Insured").to_string()),
                            ("dependent".into(), app.t("家族", "Dependent").to_string()),
                        ]}
                        onchange={set(|d, v| d.person = v)} />
                    <SelectField id="new-copay" label={ app.t("負担割合", "Co-payment") } value={ if d.copay.is_empty() { "30".to_string() } else { d.copay.clone() } }
                        options={vec![("30".into(), "3割".into()), ("20".into(), "2割".into()), ("10".into(), "1割".into()), ("0".into(), app.t("なし", "None").to_string())]}
                        onchange={set(|d, v| d.copay = v)} />
                    <DateField id="new-valid-from" label={ app.t("資格取得日", "Qualified since") } value={super::form::parse_date(&d.valid_from)}
                        era={"令和"} onchange={set_date(|d, v| d.valid_from = v)} />
                    <DateField id="new-valid-until" invalid={bad("new-valid-until")} error_id="new-patient-error" label={ app.t("有効期限（資格確認書に記載があれば）", "Valid until (if printed on the 資格確認書)") }
                        value={super::form::parse_date(&d.valid_until)}
                        era={"令和"} onchange={set_date(|d, v| d.valid_until = v)} />
                    if dependent {
                        <TextField id="new-holder-name" label={ app.t("被保険者氏名", "Insured's name") } value={d.holder_name.clone()}
                            autocomplete="off" onchange={set(|d, v| d.holder_name = v)} />
                        <TextField id="new-holder-address" label={ app.t("被保険者の住所", "Insured's address") } value={d.holder_address.clone()}
                            hint={ app.t("申請書に必要です", "Required on the claim form") }
                            autocomplete="off" onchange={set(|d, v| d.holder_address = v)} />
                        <super::postal_lookup::PostalLookup id="new-holder" address={d.holder_address.clone()}
                            on_address={set(|d, v| d.holder_address = v)} />
                    }
                </fieldset>
                <button type="submit" id="new-patient-register">{ app.t("患者として登録", "Register as patient") }</button>
                <p id="new-patient-error" role="alert" class="error">{
                    error.as_ref().map(|(j, e, _)| lang.t(j.clone(), e.clone())).unwrap_or_default()
                }</p>
            </form>
        </details>
    }
}
