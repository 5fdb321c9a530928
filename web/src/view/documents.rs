//! The clinic's handed-over and attached documents on paper (明細書, 領収証, 日計表, 施術報告書,
//! 継続理由・状態記入書, 往療内訳表): each `core::records::documents::Document` as one sheet
//! that flows top to bottom (not the claim forms' fixed boxes). The values come formatted
//! from core; this module only lays them out. Paper per sheet in `www/print.css`
//! (`.doc`, `.paper-a5`, `.paper-roll`); the same sheets are the on-screen preview.

use ukemi_core::records::documents::{DocField, DocTable, Document};
use yew::prelude::*;

/// Which paper a sheet prints on: A4, A5, or an 80 mm receipt roll (領収証 only).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    #[default]
    A4,
    A5,
    Roll,
}

impl Paper {
    pub fn css(self) -> &'static str {
        match self {
            Paper::A4 => "paper-a4",
            Paper::A5 => "paper-a5",
            Paper::Roll => "paper-roll",
        }
    }
    pub fn from_key(s: &str) -> Paper {
        match s {
            "a5" => Paper::A5,
            "roll" => Paper::Roll,
            _ => Paper::A4,
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct DocSheetsProps {
    pub id: AttrValue,
    pub docs: Vec<Document>,
    #[prop_or_default]
    pub paper: Paper,
}

fn fields(list: &[DocField], class: &str) -> Html {
    if list.is_empty() {
        return html! {};
    }
    html! {
        <dl class={class.to_string()}>
            { for list.iter().map(|f| html! {
                <div class="doc-field"><dt>{ &f.label }</dt><dd>{ &f.value }</dd></div>
            }) }
        </dl>
    }
}

fn table(t: &DocTable) -> Html {
    html! {
        <table class="doc-table">
            <caption>{ &t.caption }</caption>
            <thead><tr>{ for t.head.iter().map(|h| html! { <th scope="col">{ h }</th> }) }</tr></thead>
            <tbody>
                { for t.rows.iter().map(|r| html! {
                    <tr>{ for r.iter().map(|c| html! { <td>{ c }</td> }) }</tr>
                }) }
            </tbody>
            if !t.foot.is_empty() {
                <tfoot>
                    { for t.foot.iter().map(|r| html! {
                        <tr>{ for r.iter().map(|c| html! { <td>{ c }</td> }) }</tr>
                    }) }
                </tfoot>
            }
        </table>
    }
}

fn sheet(d: &Document, paper: Paper) -> Html {
    let label = format!("{} {}", d.title, d.subtitle);
    html! {
        <article class={classes!("doc", d.kind.css(), paper.css())} role="document" aria-label={label} lang="ja">
            <h3 class="doc-title">{ &d.title }</h3>
            <p class="doc-subtitle">{ &d.subtitle }</p>
            { fields(&d.fields, "doc-fields") }
            { for d.tables.iter().map(table) }
            { fields(&d.totals, "doc-totals") }
            { for d.texts.iter().map(|t| html! {
                <section class="doc-text">
                    <h4>{ &t.label }</h4>
                    <p>{ if t.value.trim().is_empty() { "　".to_string() } else { t.value.clone() } }</p>
                </section>
            }) }
            { for d.notes.iter().map(|n| html! { <p class="doc-note">{ n }</p> }) }
            { fields(&d.issuer, "doc-issuer") }
        </article>
    }
}

/// Every sheet of one print job.
#[function_component(DocSheets)]
pub fn doc_sheets(p: &DocSheetsProps) -> Html {
    html! {
        <div class="print-sheets" id={p.id.clone()}>
            { for p.docs.iter().map(|d| sheet(d, p.paper)) }
        </div>
    }
}

/// Opens the browser's print dialog once the sheets are laid out.
pub fn print_soon() {
    gloo_timers::callback::Timeout::new(50, || {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    })
    .forget();
}
