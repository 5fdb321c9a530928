//! A format-neutral element tree. XML and JSON are both read into a [`Node`] tree and the
//! typed model is mapped from (and to) that tree once, so the two wire forms cannot drift
//! apart and every limit is enforced in one place.

use super::{VocabError, MAX_LIST_ITEMS};

/// One element: its local name, its own text (verbatim, spaces kept: 国保 insurer numbers
/// are left-padded) and its child elements in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
    /// Written as an item of a 0..n list (a JSON array even when there is one item).
    pub list_item: bool,
}

impl Node {
    pub fn new(name: &str) -> Node {
        Node {
            name: name.to_string(),
            ..Node::default()
        }
    }

    pub fn leaf(name: &str, text: &str) -> Node {
        Node {
            name: name.to_string(),
            text: text.to_string(),
            ..Node::default()
        }
    }

    /// Absent in all but name: `<X/>`, `<X>  </X>`, `"X": {}`. The service omits optional
    /// elements; some writers send them empty instead, and both mean "not given".
    pub fn is_blank(&self) -> bool {
        self.children.is_empty() && self.text.trim().is_empty()
    }

    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The single child called `name`; two of them is an error.
    pub fn one<'a>(&'a self, path: &str, name: &'a str) -> Result<Option<&'a Node>, VocabError> {
        let mut it = self.named(name);
        let first = it.next();
        if it.next().is_some() {
            return Err(VocabError::DuplicateElement {
                path: join(path, name),
            });
        }
        Ok(first)
    }
}

pub(crate) fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}/{name}")
    }
}

/// A value that is one element: text, a code, or a structure.
pub(crate) trait Element: Sized {
    fn read(node: &Node, path: &str) -> Result<Self, VocabError>;
    fn write(&self, name: &str) -> Node;
}

/// A field of a structure: how it is found among the parent's children.
pub(crate) trait Field: Sized {
    fn read_field(parent: &Node, path: &str, elem: &str) -> Result<Self, VocabError>;
    fn write_field(&self, parent: &mut Node, elem: &str);
}

/// The text of an element that must not have children.
pub(crate) fn leaf_text<'a>(node: &'a Node, path: &str) -> Result<&'a str, VocabError> {
    if node.children.is_empty() {
        Ok(&node.text)
    } else {
        Err(VocabError::BadValue {
            path: path.to_string(),
            reason: "expected text, found child elements".into(),
        })
    }
}

impl Element for String {
    fn read(node: &Node, path: &str) -> Result<Self, VocabError> {
        leaf_text(node, path).map(str::to_string)
    }
    fn write(&self, name: &str) -> Node {
        Node::leaf(name, self)
    }
}

impl<T: Element> Field for Option<T> {
    fn read_field(parent: &Node, path: &str, elem: &str) -> Result<Self, VocabError> {
        match parent.one(path, elem)? {
            // A structure holding only unknown elements reads as empty; it counts as absent
            // so that reading what we wrote gives back exactly what we read.
            Some(n) if !n.is_blank() => {
                let v = T::read(n, &join(path, elem))?;
                Ok(Some(v).filter(|v| !v.write(elem).is_blank()))
            }
            _ => Ok(None),
        }
    }
    fn write_field(&self, parent: &mut Node, elem: &str) {
        if let Some(v) = self {
            parent.children.push(v.write(elem));
        }
    }
}

/// A 0..n list. `elem` is `Container/Item` (e.g. `ResultList/ResultOfQualificationConfirmation`);
/// items of repeated containers are gathered, because JSON writers may repeat the container
/// rather than the item.
impl<T: Element> Field for Vec<T> {
    fn read_field(parent: &Node, path: &str, elem: &str) -> Result<Self, VocabError> {
        let (container, item) = elem.split_once('/').unwrap_or(("", elem));
        let items: Vec<&Node> = if container.is_empty() {
            parent.named(item).collect()
        } else {
            parent
                .named(container)
                .flat_map(|c| c.named(item))
                .collect()
        };
        if items.len() > MAX_LIST_ITEMS {
            return Err(VocabError::TooManyResults {
                path: join(path, elem),
                max: MAX_LIST_ITEMS,
            });
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, n) in items.into_iter().filter(|n| !n.is_blank()).enumerate() {
            let v = T::read(n, &format!("{}[{}]", join(path, elem), i + 1))?;
            // As for `Option`: an item with nothing we know is no item.
            if !v.write(item).is_blank() {
                out.push(v);
            }
        }
        Ok(out)
    }
    fn write_field(&self, parent: &mut Node, elem: &str) {
        if self.is_empty() {
            return;
        }
        let (container, item) = elem.split_once('/').unwrap_or(("", elem));
        let items = self.iter().map(|v| {
            let mut n = v.write(item);
            n.list_item = true;
            n
        });
        if container.is_empty() {
            parent.children.extend(items);
        } else {
            let mut c = Node::new(container);
            c.children.extend(items);
            parent.children.push(c);
        }
    }
}
