//! The check by 保険者番号・記号・番号・枝番・生年月日 (for a patient with a 資格確認書), and
//! the import of checks made elsewhere (e.g. in the official app).

use super::use_app;
use crate::i18n::Lang;
use crate::state::{Action, Area, Failure, Screen};
use ukemi_core::eligibility::InsuranceQuery;
use ukemi_core::protocol::{Command, ErrorCode, ErrorDetail};
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

#[function_component(Insurance)]
pub fn insurance(props: &InsuranceProps) -> Html {
    let app = use_app();
    let refs: [NodeRef; 5] = Default::default();
    let [insurer, symbol, number, branch, birthdate] = refs.clone();
    let onsubmit = {
        let send = app.ctl.send.clone();
        let state = app.state.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Ok(birth) = Date::parse(&value(&birthdate)) else {
                let detail = ErrorDetail::field("birthdate");
                state.dispatch(Action::Failure(Failure {
                    area: Area::Insurance,
                    code: ErrorCode::InvalidQuery,
                    message_ja: ErrorCode::InvalidQuery.message_ja(&detail),
                    detail,
                }));
                return;
            };
            let opt = |s: String| Some(s).filter(|s| !s.trim().is_empty());
            send.emit(Command::CheckByInsurance {
                query: InsuranceQuery {
                    insurer_number: value(&insurer),
                    symbol: opt(value(&symbol)),
                    number: value(&number),
                    branch: opt(value(&branch)),
                    birthdate: birth,
                },
            });
        })
    };
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
    let failure = app
        .state
        .failure
        .as_ref()
        .filter(|f| f.area == Area::Insurance);
    let service_down = props.manual
        && failure.is_some_and(|f| {
            matches!(
                f.code,
                ErrorCode::ServiceUnavailable | ErrorCode::ServiceError
            )
        });
    let to_manual = {
        let refs = refs.clone();
        let state = app.state.clone();
        Callback::from(move |_| {
            let [insurer, symbol, number, branch, birthdate] = &refs;
            super::new_patient::draft_from_numbers(
                &value(insurer),
                &value(symbol),
                &value(number),
                &value(branch),
                &value(birthdate),
            );
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_hash(Screen::Patients.hash());
            }
            state.dispatch(Action::Navigate(Screen::Patients));
            // After the new screen's heading has taken the focus: the first empty field.
            gloo_timers::callback::Timeout::new(150, || {
                super::form::focus_later("new-name");
            })
            .forget();
        })
    };
    let field = |id: &'static str,
                 r: &NodeRef,
                 label: &'static str,
                 kind: &'static str,
                 mode: &'static str| {
        html! {
            <div class="field">
                <label for={id}>{ label }</label>
                <input id={id} ref={r.clone()} type={kind} inputmode={mode} autocomplete="off" />
            </div>
        }
    };
    html! {
        <section class="panel" aria-labelledby="ins-heading">
            <h2 id="ins-heading">{ app.t("保険者番号等で確認（資格確認書）", "Check by insurance numbers") }</h2>
            <form onsubmit={onsubmit} novalidate=true class="grid">
                { field("ins-insurer", &refs[0], app.t("保険者番号", "Insurer number"), "text", "numeric") }
                { field("ins-symbol", &refs[1], app.t("記号", "Symbol"), "text", "text") }
                { field("ins-number", &refs[2], app.t("番号", "Number"), "text", "text") }
                { field("ins-branch", &refs[3], app.t("枝番", "Branch"), "text", "numeric") }
                { field("ins-birthdate", &refs[4], app.t("生年月日", "Date of birth"), "date", "text") }
                <button id="ins-check-button" type="submit">{ app.t("資格確認", "Check eligibility") }</button>
            </form>
            <button id="import-button" type="button" onclick={import}>
                { app.t("他の端末での確認結果を取り込む（直近7日）", "Import checks made elsewhere (last 7 days)") }
            </button>
            <p id="import-status" role="status" aria-live="polite">
                { match (app.state.imported, app.lang()) {
                    (Some(n), Lang::Ja) => format!("他の端末での確認結果を{n}件取り込み、患者に反映しました。"),
                    (Some(n), Lang::En) => format!("Imported {n} results and updated the patients."),
                    (None, _) => String::new(),
                } }
            </p>
            <super::result::Registered import=true />
            <p id="ins-error" role="alert" class="error">
                { failure.map(|f| if app.lang() == Lang::Ja { f.message_ja.clone() } else { f.code.message_en(&f.detail) }).unwrap_or_default() }
            </p>
            if service_down {
                <button id="ins-to-manual" type="button" class="secondary" onclick={to_manual}>
                    { app.t("この番号で手入力登録へ進む", "Register by hand with these numbers") }
                </button>
            }
        </section>
    }
}
