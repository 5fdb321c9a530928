//! PLACEHOLDER so the tree compiles while helper-6 writes the 導入状況 screen: replace this
//! whole file. The API below is the agreed one.
use yew::prelude::*;

#[function_component(Readiness)]
pub fn readiness() -> Html {
    html! { <h1 id="screen-heading" tabindex="-1">{ "導入状況" }</h1> }
}
