//! この患者を削除: a patient registered by mistake (the wrong card, a test entry) goes, after a
//! confirmation. Only a patient without 施術録: treatment records are deleted one by one on the
//! 施術録 screen, and a second record of the same person is merged instead.

use super::use_app;
use crate::i18n::Lang;
use crate::state::Action;
use ukemi_core::records::{Edit, PatientRecord};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DeleteProps {
    pub patient: PatientRecord,
}

#[function_component(DeletePatient)]
pub fn delete_patient(props: &DeleteProps) -> Html {
    let app = use_app();
    let ja = app.lang() == Lang::Ja;
    let confirming = use_state(|| false);
    let p = &props.patient;
    if app.state.book.cases_of(&p.id).next().is_some() {
        return html! {};
    }
    let ask = {
        let confirming = confirming.clone();
        Callback::from(move |_| {
            confirming.set(true);
            super::form::focus_later("delete-patient-text");
        })
    };
    let cancel = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(false))
    };
    let confirm = {
        let state = app.state.clone();
        let id = p.id.clone();
        let name = p.name.clone();
        Callback::from(move |_| {
            let edit = Edit::DeletePatient { id: id.clone() };
            // A refusal (the book changed under the dialog) is shown by the edit's own error.
            if (*state.book).clone().apply(edit.clone()).is_err() {
                state.dispatch(Action::Edit(edit));
                return;
            }
            state.dispatch(Action::Edit(edit));
            state.dispatch(Action::ChoosePatient(None));
            state.dispatch(Action::Announce(if ja {
                format!("{name}さんの記録を削除しました。")
            } else {
                format!("Deleted {name}'s record.")
            }));
            super::form::focus_later("screen-heading");
        })
    };
    html! {
        <div class="delete-patient">
            <button type="button" id="delete-patient" class="secondary" onclick={ask}>
                { app.t("この患者を削除（誤登録）", "Delete this patient (registered by mistake)") }
            </button>
            if *confirming {
                <div class="warn-box" role="alertdialog" aria-labelledby="delete-patient-text">
                    <p id="delete-patient-text" tabindex="-1">{
                        if ja {
                            format!("{}さんの記録（資格確認{}件を含む）を削除します。元に戻せません。よろしいですか？", p.name, p.checks.len())
                        } else {
                            format!("Delete {}'s record (with {} checks)? This cannot be undone.", p.name, p.checks.len())
                        }
                    }</p>
                    <button type="button" id="delete-patient-confirm" onclick={confirm}>{ app.t("削除する", "Delete") }</button>
                    <button type="button" id="delete-patient-cancel" class="secondary" onclick={cancel}>{ app.t("やめる", "Cancel") }</button>
                </div>
            }
        </div>
    }
}
