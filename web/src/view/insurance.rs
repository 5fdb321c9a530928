//! The check by 保険者番号・記号・番号・枝番・生年月日 (for a patient with a 資格確認書), and
//! the import of checks made elsewhere (e.g. in the official app).

use super::use_app;
use crate::i18n::Lang;
use crate::state::{check, Action, Area, Failure, Screen};
use ukemi_core::eligibility::{validate_insurer_number, EligibilityResult, InsuranceQuery};
use ukemi_core::protocol::{Command, ErrorCode, ErrorDetail};
use ukemi_core::records::{Applied, Edit, Registration};
use ukemi_core::Date;
use web_sys::HtmlInputElement;
use yew::prelude::*;

fn value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|e| e.value())
        .unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct InsuranceProps {
    /// The full app offers to register by hand when the service cannot answer; the widget,
    /// which has no patients of its own, does not.
    #[prop_or_default]
    pub manual: bool,
}

/// The form's fields: (id, the companion's field name).
pub(crate) const FIELDS: [(&str, &str); 5] = [
    ("ins-insurer", "insurer_number"),
    ("ins-symbol", "symbol"),
    ("ins-number", "number"),
    ("ins-branch", "branch"),
    ("ins-birthdate", "birthdate"),
];

pub(crate) fn field_id(name: &str) -> Option<&'static str> {
    FIELDS.iter().find(|(_, n)| *n == name).map(|(id, _)| *id)
}

/// The birthdate as shown in its field (typed 和暦 and the era beside it included).
fn typed_birthdate(
    input: &NodeRef,
    era: &NodeRef,
) -> Result<Date, ukemi_core::date::TypedDateError> {
    let era = era
        .cast::<web_sys::HtmlSelectElement>()
        .map(|e| e.value())
        .unwrap_or_default();
    let era = ukemi_core::date::era_names()
        .map(|(n, _)| n)
        .find(|n| *n == era);
    Date::parse_typed(&value(input), era)
}

#[function_component(Insurance)]
pub fn insurance(props: &InsuranceProps) -> Html {
    let app = use_app();
    let refs: [NodeRef; 4] = Default::default();
    let [insurer, symbol, number, branch] = refs.clone();
    let birth = use_state(|| None::<Date>);
    let birth_input = use_node_ref();
    let birth_era = use_node_ref();
    let onsubmit = {
        let (birth_input, birth_era) = (birth_input.clone(), birth_era.clone());
        let send = app.ctl.send.clone();
        let state = app.state.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // Refused here, before the service is asked: the field is marked, the focus put
            // in it, and the rule it broke said (the last result goes at once).
            let fail = |field: &'static str, ja: String, en: String| {
                state.dispatch(Action::Failure(Failure {
                    area: Area::Insurance,
                    code: ErrorCode::InvalidQuery,
                    message_ja: ja,
                    message_en: Some(en),
                    detail: ErrorDetail::field(field),
                }));
                if let Some(id) = field_id(field) {
                    super::form::focus_later(id);
                }
            };
            let birth = typed_birthdate(&birth_input, &birth_era);
            match insurance_command(
                &value(&insurer),
                &value(&symbol),
                &value(&number),
                &value(&branch),
                birth,
            ) {
                Ok(c) => send.emit(c),
                Err((field, ja, en)) => fail(field, ja, en),
            }
        })
    };
    let failure = app
        .state
        .check
        .failure
        .as_ref()
        .filter(|f| f.area == Area::Insurance);
    let bad_field = failure.and_then(|f| f.detail.field.clone());
    {
        // The companion's own refusal of a field gets the same treatment as the page's.
        let field = bad_field.clone();
        use_effect_with(app.state.check.failure_seq, move |_| {
            if let Some(id) = field.as_deref().and_then(field_id) {
                super::form::focus_later(id);
            }
            || ()
        });
    }
    // Known at compile time in the widget's build, so the hand-typed registration is not linked.
    let service_down = props.manual
        && cfg!(feature = "app")
        && failure.is_some_and(|f| {
            matches!(
                f.code,
                ErrorCode::ServiceUnavailable | ErrorCode::ServiceError
            )
        });
    let to_manual = {
        let refs = refs.clone();
        let (birth_input, birth_era) = (birth_input.clone(), birth_era.clone());
        let state = app.state.clone();
        Callback::from(move |_| {
            // Never offered in the widget's build (`service_down`): nothing of the app's
            // registration is linked there.
            if !cfg!(feature = "app") {
                return;
            }
            let [insurer, symbol, number, branch] = &refs;
            super::new_patient::draft_from_numbers(
                &value(insurer),
                &value(symbol),
                &value(number),
                &value(branch),
                &typed_birthdate(&birth_input, &birth_era)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            );
            super::go(&state, Screen::Patients);
            // After the new screen's heading has taken the focus: the first empty field.
            gloo_timers::callback::Timeout::new(150, || {
                super::form::focus_later("new-name");
            })
            .forget();
        })
    };
    let field = |i: usize, label: &'static str, mode: &'static str| {
        let (id, name) = FIELDS[i];
        let invalid = bad_field.as_deref() == Some(name);
        html! {
            <div class="field">
                <label for={id}>{ label }</label>
                <input id={id} ref={refs[i].clone()} type="text" inputmode={mode} autocomplete="off"
                    aria-invalid={ invalid.then_some("true") }
                    aria-describedby={ invalid.then_some("ins-error") } />
            </div>
        }
    };
    html! {
        <section class="panel" aria-labelledby="ins-heading">
            <h2 id="ins-heading">{ app.t("保険者番号等で確認（資格確認書）", "Check by insurance numbers") }</h2>
            <form onsubmit={onsubmit} novalidate=true class="grid">
                { field(0, app.t("保険者番号", "Insurer number"), "numeric") }
                { field(1, app.t("記号", "Symbol"), "text") }
                { field(2, app.t("番号", "Number"), "text") }
                { field(3, app.t("枝番", "Branch"), "numeric") }
                <super::form::DateField id="ins-birthdate" label={ app.t("生年月日", "Date of birth") } value={*birth}
                    era_choice=true invalid={ bad_field.as_deref() == Some("birthdate") } error_id="ins-error"
                    input_ref={birth_input.clone()} era_ref={birth_era.clone()}
                    onchange={ let b = birth.clone(); Callback::from(move |d| b.set(Some(d))) } />
                <button id="ins-check-button" type="submit" disabled={app.state.check.running}>{ app.t("資格確認", "Check eligibility") }</button>
            </form>
            if app.state.check.running {
                <p id="ins-status">{ app.t("確認を始めています…", "Starting the check…") }</p>
            }
            <p id="ins-error" role="alert" class="error">
                { failure.map(|f| f.message(app.lang())).unwrap_or_default() }
            </p>
            if service_down {
                <button id="ins-to-manual" type="button" class="secondary" onclick={to_manual}>
                    { app.t("この番号で手入力登録へ進む", "Register by hand with these numbers") }
                </button>
            }
            <ImportChecks />
        </section>
    }
}

/// 他の端末での確認結果の取り込み: the week's checks registered as patients. The app's only
/// (cargo feature `app`): the widget keeps no patients, so it offers no import.
#[cfg(feature = "app")]
#[function_component(ImportChecks)]
fn import_checks() -> Html {
    let app = use_app();
    let import = {
        let send = app.ctl.send.clone();
        Callback::from(move |_| {
            let today = Date::from_days((js_sys::Date::now() / 86_400_000.0) as i64);
            send.emit(Command::ImportResults {
                from: today.add_days(-6),
                to: today,
            });
        })
    };
    html! {
        <>
                <button id="import-button" type="button" class="secondary" onclick={import}>
                    { app.t("他の端末での確認結果を取り込む（直近7日）", "Import checks made elsewhere (last 7 days)") }
                </button>
                <ImportReview />
                <p id="import-status" role="status">
                    { match (app.state.check.imported, app.lang()) {
                        (Some(n), Lang::Ja) => format!("他の端末での確認結果{n}件を取り込みました。"),
                        (Some(n), Lang::En) => format!("Imported {n} results."),
                        (None, _) => String::new(),
                    } }
                </p>
                <super::result::Registered import=true />
        </>
    }
}

#[cfg(not(feature = "app"))]
#[function_component(ImportChecks)]
fn import_checks() -> Html {
    Html::default()
}

/// What an import would do, shown before anything changes: who would be created, who
/// updated and how, what is already on record, and what needs staff (複数該当).
#[cfg(feature = "app")]
#[function_component(ImportReview)]
fn import_review() -> Html {
    let app = use_app();
    let lang = app.lang();
    let pending = app.state.check.import_review.clone();
    {
        let shown = pending.is_some();
        use_effect_with(shown, move |shown| {
            if *shown {
                super::form::focus_later("import-review-heading");
            }
            || ()
        });
    }
    let Some(results) = pending else {
        return html! {};
    };
    let apply = {
        let state = app.state.clone();
        Callback::from(move |_| {
            state.dispatch(Action::from(check::Action::ApplyImport {
                at: crate::clock::now_iso(),
            }));
            super::form::focus_later("import-status");
        })
    };
    let cancel = {
        let state = app.state.clone();
        Callback::from(move |_| {
            state.dispatch(Action::from(check::Action::CancelImport));
            super::form::focus_later("import-button");
        })
    };
    let planned = match app.state.records.book.preview(Edit::RegisterChecks {
        results: results.clone(),
        at: String::new(),
    }) {
        Ok(Applied::Registered(r)) => r,
        _ => Vec::new(),
    };
    let waiting: Vec<&EligibilityResult> = results
        .iter()
        .filter(|r| !r.qualifications.is_empty() && r.default_choice().is_none())
        .collect();
    let no_match = results
        .iter()
        .filter(|r| r.qualifications.is_empty())
        .count();
    let changes = planned
        .iter()
        .filter(|r| r.created || r.check_added)
        .count();
    let what = |r: &Registration| -> String {
        match (r.created, r.check_added, r.older, lang) {
            (true, _, _, Lang::Ja) => "新しい患者として登録".into(),
            (true, _, _, Lang::En) => "New patient".into(),
            (false, false, _, Lang::Ja) => "登録済み（変更なし）".into(),
            (false, false, _, Lang::En) => "Already on record (no change)".into(),
            (false, true, true, Lang::Ja) => "以前の確認として履歴に追加".into(),
            (false, true, true, Lang::En) => "Added to the history as an earlier check".into(),
            (false, true, false, Lang::Ja) if r.changes.is_empty() => {
                "確認の履歴に追加（登録内容は変更なし）".into()
            }
            (false, true, false, Lang::En) if r.changes.is_empty() => {
                "Check added to the history (details unchanged)".into()
            }
            (false, true, false, Lang::Ja) => format!(
                "更新：{}",
                r.changes
                    .iter()
                    .map(|c| format!("{} {} → {}", c.label_ja, c.before, c.after))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            (false, true, false, Lang::En) => format!(
                "Update: {}",
                r.changes
                    .iter()
                    .map(|c| format!("{} {} → {}", c.label_en, c.before, c.after))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    };
    html! {
        <div id="import-review" class="warn-box" role="region" aria-labelledby="import-review-heading">
            <h3 id="import-review-heading" tabindex="-1">{
                lang.t(format!("取り込む前の確認：確認結果{}件", results.len()), format!("Before importing: {} results", results.len()))
            }</h3>
            if !planned.is_empty() {
                <table id="import-plan">
                    <caption class="sr-only">{ app.t("取り込むと変わること", "What the import changes") }</caption>
                    <thead><tr>
                        <th scope="col">{ app.t("患者", "Patient") }</th>
                        <th scope="col">{ app.t("取り込むと", "On import") }</th>
                    </tr></thead>
                    <tbody>
                        { for planned.iter().map(|r| html! {
                            <tr>
                                <th scope="row" lang="ja">{ &r.name }</th>
                                <td>{ what(r) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if !waiting.is_empty() {
                <p id="import-waiting" class="warn">{
                    lang.t(format!("複数の資格が該当した{}件（{}）は取り込みません。受付で資格確認をして、登録する資格を選んでください。",
                            waiting.len(), waiting.iter().filter_map(|r| r.primary().map(|q| q.name.clone())).collect::<Vec<_>>().join("、")), format!("{} results with several matching qualifications are left out: check them at reception and choose.", waiting.len()))
                }</p>
            }
            if no_match > 0 {
                <p>{ lang.t(format!("該当資格なしの{no_match}件は登録するものがありません。"), format!("{no_match} results found no qualification: nothing to register.")) }</p>
            }
            if changes == 0 {
                <p id="import-nothing">{ app.t("すべて登録済みです。取り込んでも何も変わりません。", "Everything is already on record: importing changes nothing.") }</p>
            }
            <button id="import-apply" type="button" onclick={apply} disabled={changes == 0}>{ app.t("この内容で取り込む", "Import as shown") }</button>
            <button id="import-cancel" type="button" class="secondary" onclick={cancel}>{ app.t("取り込まない", "Do not import") }</button>
        </div>
    }
}

/// What a press of 資格確認 on the numbers' form sends, or the page's own refusal before the
/// service is asked: the field (the companion's name for it) and the rule it broke.
pub(crate) fn insurance_command(
    insurer: &str,
    symbol: &str,
    number: &str,
    branch: &str,
    birth: Result<Date, ukemi_core::date::TypedDateError>,
) -> Result<Command, (&'static str, String, String)> {
    let insurer_number = insurer.trim().to_string();
    if let Err(e) = validate_insurer_number(&insurer_number) {
        return Err(("insurer_number", e.message_ja(), e.message_en()));
    }
    if number.trim().is_empty() {
        return Err((
            "number",
            "番号を入力してください。".into(),
            "Enter the number.".into(),
        ));
    }
    let birthdate = birth.map_err(|e| {
        (
            "birthdate",
            format!("生年月日：{}", e.message_ja()),
            format!("Date of birth: {}", e.message_en()),
        )
    })?;
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(Command::CheckByInsurance {
        query: InsuranceQuery {
            insurer_number,
            symbol: opt(symbol),
            number: number.trim().to_string(),
            branch: opt(branch),
            birthdate,
        },
    })
}
