//! Beside an address field: 郵便番号から住所 (Japan Post's data, docs/postal.md) and back,
//! where only one code fits. What happened is said in a polite live line.

use super::use_app;
use ukemi_core::postal::normalise_code;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PostalLookupProps {
    /// Prefix for the buttons' ids (`new` → `new-postal-fill`).
    pub id: AttrValue,
    /// The record's own postal code; `None` where it keeps none (被保険者の住所, the 施術所):
    /// the look-up then has a box of its own and no reverse look-up.
    #[prop_or_default]
    pub postal: Option<AttrValue>,
    pub address: AttrValue,
    pub on_address: Callback<String>,
    #[prop_or_default]
    pub on_postal: Option<Callback<String>>,
}

#[function_component(PostalLookup)]
pub fn postal_lookup(p: &PostalLookupProps) -> Html {
    let app = use_app();
    let said = use_state(String::new);
    let own = use_state(String::new);
    let fill = {
        let said = said.clone();
        let code = p
            .postal
            .as_ref()
            .map_or_else(|| (*own).clone(), |c| c.to_string());
        let on = p.on_address.clone();
        let lang = app.lang();
        Callback::from(move |_: MouseEvent| {
            let Some(c) = normalise_code(&code) else {
                said.set(
                    lang.t(
                        "郵便番号は7桁で入力してください。",
                        "Enter a 7-digit postal code.",
                    )
                    .into(),
                );
                return;
            };
            let said = said.clone();
            let on = on.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match crate::postal::address_of(&c).await {
                    Ok(Some(a)) => {
                        said.set(lang.t(
                            format!(
                                "住所に「{a}」を入れました。番地などを続けて入力してください。"
                            ),
                            format!("Filled in {a}; add the rest of the address."),
                        ));
                        on.emit(a);
                    }
                    Ok(None) => said.set(
                        lang.t("この郵便番号は見つかりません。", "No such postal code.")
                            .into(),
                    ),
                    Err(e) => {
                        crate::log::error("postal.fetch_failed", &e);
                        said.set(
                            lang.t(
                                "郵便番号のデータを読み込めません。",
                                "The postal data could not be loaded.",
                            )
                            .into(),
                        );
                    }
                }
            });
        })
    };
    let find = p.on_postal.clone().map(|on| {
        let said = said.clone();
        let address = p.address.to_string();
        let lang = app.lang();
        Callback::from(move |_: MouseEvent| {
            let said = said.clone();
            let on = on.clone();
            let address = address.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match crate::postal::code_of(&address).await {
                    Ok(Some(c)) => {
                        said.set(lang.t(
                            format!("郵便番号 {c} を入れました。"),
                            format!("Postal code {c} filled in."),
                        ));
                        on.emit(c);
                    }
                    Ok(None) => said.set(
                        lang.t(
                            "この住所の郵便番号は一つに決まりません。郵便番号を入力してください。",
                            "No single postal code fits this address; type it.",
                        )
                        .into(),
                    ),
                    Err(e) => {
                        crate::log::error("postal.fetch_failed", &e);
                        said.set(
                            lang.t(
                                "郵便番号のデータを読み込めません。",
                                "The postal data could not be loaded.",
                            )
                            .into(),
                        );
                    }
                }
            });
        })
    });
    html! {
        <div class="postal-lookup">
            if p.postal.is_none() {
                <super::form::TextField id={format!("{}-postal-code", p.id)} label={ app.t("郵便番号（住所を入れるため）", "Postal code (to fill the address)") }
                    value={(*own).clone()} autocomplete="off" onchange={ let o = own.clone(); Callback::from(move |v| o.set(v)) } />
            }
            <button type="button" class="secondary" id={format!("{}-postal-fill", p.id)} onclick={fill}>{ app.t("郵便番号から住所を入れる", "Fill the address from the postal code") }</button>
            if let Some(find) = find {
                <button type="button" class="secondary" id={format!("{}-postal-find", p.id)} onclick={find}>{ app.t("住所から郵便番号を調べる", "Find the postal code of the address") }</button>
            }
            <p id={format!("{}-postal-status", p.id)} role="status" aria-live="polite">{ (*said).clone() }</p>
        </div>
    }
}
