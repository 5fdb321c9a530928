//! この患者を削除: a patient registered by mistake (the wrong card, a test entry) goes, after a
//! confirmation. Only a patient without 施術録: treatment records are deleted one by one on the
//! 施術録 screen, and a second record of the same person is merged instead.

use super::form::ConfirmBox;
use super::use_app;
use crate::state::{records, Action};
use ukemi_core::records::{Edit, PatientRecord};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DeleteProps {
    pub patient: PatientRecord,
}

#[function_component(DeletePatient)]
pub fn delete_patient(props: &DeleteProps) -> Html {
    let app = use_app();
    let lang = app.lang();
    let confirming = use_state(|| false);
    let p = &props.patient;
    if app.state.records.book.cases_of(&p.id).next().is_some() {
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
        Callback::from(move |_| {
            // The book's answer (deleted, or refused) is announced by the state.
            state.dispatch(Action::from(records::Action::Edit(Edit::DeletePatient {
                id: id.clone(),
            })));
            super::form::focus_later("screen-heading");
        })
    };
    html! {
        <div class="delete-patient">
            <button type="button" id="delete-patient" class="secondary" onclick={ask}>
                { app.t("この患者を削除（誤登録）", "Delete this patient (registered by mistake)") }
            </button>
            if *confirming {
                <ConfirmBox text_id="delete-patient-text"
                    question={ lang.t(format!("{}さんの記録（資格確認{}件を含む）を削除します。元に戻せません。よろしいですか？", p.name, p.checks.len()), format!("Delete {}'s record (with {} checks)? This cannot be undone.", p.name, p.checks.len())) }
                    confirm_id="delete-patient-confirm" confirm_label={ app.t("削除する", "Delete") } onconfirm={confirm}
                    cancel_id="delete-patient-cancel" oncancel={cancel} />
            }
        </div>
    }
}
