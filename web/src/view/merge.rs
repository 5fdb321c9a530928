//! 同じ人の記録を統合: when one person was registered twice (a typo, another kanji, a record
//! typed by hand before a card check), the other record's cases, insurances, checks and 公費
//! move to this patient and the other record goes — after a confirmation that says what moves.

use super::form::{ConfirmBox, SelectField};
use super::use_app;
use crate::state::{records, Action};
use ukemi_core::records::{Edit, PatientRecord};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MergeProps {
    pub patient: PatientRecord,
}

#[function_component(Merge)]
pub fn merge(props: &MergeProps) -> Html {
    let app = use_app();
    let lang = app.lang();
    let book = app.state.records.book.clone();
    let chosen = use_state(String::new);
    let confirming = use_state(|| false);
    let done = use_state(|| None::<String>);
    let p = &props.patient;
    let others: Vec<&PatientRecord> = book.patients.iter().filter(|o| o.id != p.id).collect();
    if others.is_empty() && done.is_none() {
        return html! {};
    }
    let from = book.patient(&chosen).filter(|o| o.id != p.id).cloned();
    let on_choose = {
        let chosen = chosen.clone();
        let confirming = confirming.clone();
        Callback::from(move |v: String| {
            chosen.set(v);
            confirming.set(false);
        })
    };
    let ask = {
        let confirming = confirming.clone();
        Callback::from(move |_| {
            confirming.set(true);
            // The question is read out first; Tab then reaches its buttons.
            super::form::focus_later("merge-confirm-text");
        })
    };
    let cancel = {
        let confirming = confirming.clone();
        Callback::from(move |_| confirming.set(false))
    };
    let confirm = {
        let state = app.state.clone();
        let into = p.id.clone();
        let from = from.clone();
        let (chosen, confirming, done) = (chosen.clone(), confirming.clone(), done.clone());
        Callback::from(move |_| {
            if let Some(f) = &from {
                state.dispatch(Action::from(records::Action::Edit(Edit::MergePatients {
                    into: into.clone(),
                    from: f.id.clone(),
                })));
                done.set(Some(f.name.clone()));
            }
            chosen.set(String::new());
            confirming.set(false);
        })
    };
    let label = |o: &PatientRecord| {
        format!(
            "{}（{}・{}）",
            o.name,
            o.birth_date.wareki(),
            o.insurance()
                .map(|e| e.insurance.insurer_number.clone())
                .unwrap_or_default()
        )
    };
    let mut options = vec![(String::new(), app.t("選んでください", "Choose").to_string())];
    options.extend(others.iter().map(|o| (o.id.clone(), label(o))));
    html! {
        <details id="merge" open={ !chosen.is_empty() || done.is_some() }>
            <summary id="merge-summary">{ app.t("同じ人の記録を統合", "Merge two records of one person") }</summary>
            <p class="hint">{ app.t(
                "同じ人が二重に登録されたとき（入力の誤り・字体の違いなど）、もう一方の記録の施術録・保険・資格確認の履歴をこの患者に移し、もう一方の記録を削除します。",
                "When one person was registered twice (a typo, another kanji), the other record's cases, insurances and checks move to this patient and the other record is deleted."
            ) }</p>
            <SelectField id="merge-from" label={ app.t("統合する記録", "Record to merge in") }
                value={(*chosen).clone()} options={options} onchange={on_choose} />
            <button type="button" id="merge-ask" class="secondary" onclick={ask} disabled={from.is_none()}>
                { app.t("統合する…", "Merge…") }
            </button>
            if let (true, Some(f)) = (*confirming, &from) {
                <ConfirmBox id="merge-confirm-box" text_id="merge-confirm-text"
                    question={ lang.t(format!("{}さん（{}）の記録（施術録{}件・資格確認{}件）を{}さんに移し、{}さんの記録を削除します。よろしいですか？",
                            f.name, f.birth_date.wareki(), book.cases_of(&f.id).count(), f.checks.len(), p.name, f.name), format!("Move {}'s record ({} cases, {} checks) to {} and delete {}'s record?",
                            f.name, book.cases_of(&f.id).count(), f.checks.len(), p.name, f.name)) }
                    confirm_id="merge-confirm" confirm_label={ app.t("統合する", "Merge") } onconfirm={confirm}
                    cancel_id="merge-cancel" oncancel={cancel}>
                    if f.birth_date != p.birth_date {
                        <p id="merge-birth-warning" class="warn">{ app.t(
                            "生年月日が違います。同じ人か、資格確認書などで確かめてください。",
                            "The dates of birth differ: make sure this is the same person."
                        ) }</p>
                    }
                </ConfirmBox>
            }
            <p id="merge-status" role="status">{
                done.as_ref().map(|n| lang.t(format!("{n}さんの記録を統合しました。"), format!("Merged {n}'s record."))).unwrap_or_default()
            }</p>
        </details>
    }
}
