//! The widget's markup as plain data, and the one function that brings the page's DOM in
//! line with it. The widget renders a handful of panels; a tree it can build in a line per
//! element, patched in place, is all it needs — Yew's renderer would double its download
//! (docs/embedding.md, "Size").
//!
//! Patching keeps what a person is doing: an element is reused when its tag and `id` match
//! (an input keeps what was typed and the focus), an element with an `id` found further on
//! is moved back rather than rebuilt, and nothing but the attributes the tree names is set.
//! Attributes whose name starts with `.` are the element's live properties (`.checked`,
//! `.selected`, `.value`): set only when they differ from what the element holds.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element};

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    El(El),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct El {
    pub tag: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub kids: Vec<Node>,
}

/// `<tag>`, to be filled by the builder methods.
pub fn el(tag: &'static str) -> El {
    El {
        tag,
        attrs: Vec::new(),
        kids: Vec::new(),
    }
}

impl El {
    /// An attribute (or, named `.x`, a property).
    pub fn a(mut self, name: &'static str, value: impl Into<String>) -> El {
        self.attrs.push((name, value.into()));
        self
    }
    /// The attribute only when `on` (a boolean attribute such as `disabled` is present or not).
    pub fn a_if(self, on: bool, name: &'static str, value: impl Into<String>) -> El {
        if on {
            self.a(name, value)
        } else {
            self
        }
    }
    pub fn id(self, id: impl Into<String>) -> El {
        self.a("id", id)
    }
    pub fn class(self, class: &'static str) -> El {
        self.a("class", class)
    }
    /// A text child.
    pub fn t(mut self, text: impl Into<String>) -> El {
        self.kids.push(Node::Text(text.into()));
        self
    }
    /// An element child.
    pub fn k(mut self, kid: El) -> El {
        self.kids.push(Node::El(kid));
        self
    }
    /// An element child, when there is one.
    pub fn opt(mut self, kid: Option<El>) -> El {
        if let Some(k) = kid {
            self.kids.push(Node::El(k));
        }
        self
    }
    pub fn ks(mut self, kids: impl IntoIterator<Item = El>) -> El {
        self.kids.extend(kids.into_iter().map(Node::El));
        self
    }
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
    /// Every element of the tree, this one first (for tests).
    #[cfg(test)]
    pub fn walk(&self) -> Vec<&El> {
        let mut out = vec![self];
        for k in &self.kids {
            if let Node::El(e) = k {
                out.extend(e.walk());
            }
        }
        out
    }
    /// The tree's text, as `textContent` would read it (for tests).
    #[cfg(test)]
    pub fn text(&self) -> String {
        self.kids
            .iter()
            .map(|k| match k {
                Node::El(e) => e.text(),
                Node::Text(t) => t.clone(),
            })
            .collect()
    }
}

/// Makes `parent`'s children what `kids` describe.
pub fn patch_children(doc: &Document, parent: &Element, kids: &[Node]) {
    let mut at = parent.first_child();
    for kid in kids {
        let here = match kid {
            Node::Text(text) => match at.clone().filter(|n| n.node_type() == 3) {
                Some(n) => {
                    if n.node_value().as_deref() != Some(text.as_str()) {
                        n.set_node_value(Some(text));
                    }
                    n
                }
                None => {
                    let n: web_sys::Node = doc.create_text_node(text).into();
                    let _ = parent.insert_before(&n, at.as_ref());
                    n
                }
            },
            Node::El(e) => {
                let id = e.attr("id");
                let reuse = at
                    .clone()
                    .and_then(|n| n.dyn_into::<Element>().ok())
                    .filter(|x| same(x, e.tag, id));
                let found = reuse.or_else(|| {
                    // An element with an id further on: moved back, not rebuilt (it may hold
                    // typed text or the focus).
                    let id = id?;
                    let mut n = at.as_ref()?.next_sibling();
                    while let Some(node) = n {
                        if let Some(x) = node
                            .dyn_ref::<Element>()
                            .filter(|x| same(x, e.tag, Some(id)))
                        {
                            let x = x.clone();
                            let _ = parent.insert_before(&x, at.as_ref());
                            return Some(x);
                        }
                        n = node.next_sibling();
                    }
                    None
                });
                let x = match found {
                    Some(x) => x,
                    None => match doc.create_element(e.tag) {
                        Ok(x) => {
                            let _ = parent.insert_before(&x, at.as_ref());
                            x
                        }
                        Err(_) => continue,
                    },
                };
                patch_element(doc, &x, e);
                x.into()
            }
        };
        at = here.next_sibling();
    }
    // What the tree no longer has.
    while let Some(n) = at {
        at = n.next_sibling();
        let _ = parent.remove_child(&n);
    }
}

fn same(x: &Element, tag: &str, id: Option<&str>) -> bool {
    x.tag_name().eq_ignore_ascii_case(tag) && x.get_attribute("id").as_deref() == id
}

fn patch_element(doc: &Document, x: &Element, e: &El) {
    for (name, value) in &e.attrs {
        if let Some(prop) = name.strip_prefix('.') {
            set_property(x, prop, value);
        } else if x.get_attribute(name).as_deref() != Some(value.as_str()) {
            let _ = x.set_attribute(name, value);
        }
    }
    let names = x.get_attribute_names();
    for i in 0..names.length() {
        if let Some(name) = names.get(i).as_string() {
            if !e.attrs.iter().any(|(n, _)| *n == name) {
                let _ = x.remove_attribute(&name);
            }
        }
    }
    patch_children(doc, x, &e.kids);
}

/// `.checked` / `.selected` take `true`/`false`; `.value` the text.
fn set_property(x: &Element, prop: &str, value: &str) {
    let want = match prop {
        "checked" | "selected" => JsValue::from_bool(value == "true"),
        _ => JsValue::from_str(value),
    };
    let key = JsValue::from_str(prop);
    let now = js_sys::Reflect::get(x, &key).unwrap_or(JsValue::UNDEFINED);
    if now != want {
        let _ = js_sys::Reflect::set(x, &key, &want);
    }
}
