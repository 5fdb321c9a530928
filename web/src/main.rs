//! Ukemi's browser app. Small function components, UI state in one reducer (`state`), the
//! companion connection at the edge (`link` + `driver`). Every message shape comes from
//! `ukemi_core::protocol`.

mod demo;
mod driver;
mod i18n;
mod link;
mod state;
mod storage;
mod view;

fn main() {
    yew::Renderer::<view::App>::new().render();
}
