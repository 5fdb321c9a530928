//! Patients registered from eligibility results (kept in memory until storage arrives).

use super::use_app;
use yew::prelude::*;

#[function_component(Patients)]
pub fn patients() -> Html {
    let app = use_app();
    let list = &app.state.patients;
    html! {
        <section class="panel" aria-labelledby="patients-heading">
            <h2 id="patients-heading">{ app.t("患者", "Patients") }</h2>
            <table id="patients">
                <caption>{ app.t("登録済みの患者", "Registered patients") }</caption>
                <thead><tr>
                    <th scope="col">{ app.t("氏名", "Name") }</th>
                    <th scope="col">{ app.t("生年月日", "Date of birth") }</th>
                    <th scope="col">{ app.t("住所", "Address") }</th>
                    <th scope="col">{ app.t("保険者番号", "Insurer") }</th>
                </tr></thead>
                <tbody>
                    { for list.iter().filter_map(|p| p.result.primary()).map(|q| html! {
                        <tr>
                            <td>{ &q.name }</td>
                            <td>{ q.birthdate.wareki() }</td>
                            <td>{ q.address.clone().unwrap_or_default() }</td>
                            <td>{ &q.insurer_number }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if list.is_empty() {
                <p>{ app.t("まだ登録されていません。", "None yet.") }</p>
            }
        </section>
    }
}
