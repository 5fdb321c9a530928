//! PLACEHOLDER so the tree compiles while helper-5 writes the real print layout: replace
//! this whole file. The API below is the agreed one.
use ukemi_core::claims::forms::{FormModel, SummaryForm};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PrintSheetsProps {
    pub forms: Vec<FormModel>,
    pub summaries: Vec<SummaryForm>,
    #[prop_or_default]
    pub id: Option<AttrValue>,
}

#[function_component(PrintSheets)]
pub fn print_sheets(p: &PrintSheetsProps) -> Html {
    html! { <div class="print-sheets" id={p.id.clone()}>{ p.forms.len() }</div> }
}
