//! The JSON form (`{"XmlMsg":{"MessageHeader":{…},"MessageBody":{…}}}`) to and from a
//! [`Node`] tree. Objects are elements, strings are text, arrays are repeated elements;
//! numbers and booleans are taken as their JSON text, `null` as absent.

use super::node::Node;
use super::{VocabError, MAX_DEPTH, MAX_ELEMENTS};
use serde_json::{Map, Value};

pub(crate) fn read_tree(text: &str) -> Result<Node, VocabError> {
    let value: Value = serde_json::from_str(text).map_err(map_error)?;
    let Value::Object(map) = value else {
        return Err(VocabError::UnexpectedRoot {
            found: "(not a JSON object)".into(),
        });
    };
    let mut count = 0usize;
    let mut holder = Node::new("");
    add_members(&map, &mut holder, 0, &mut count)?;
    match holder.children.len() {
        1 => Ok(holder.children.remove(0)),
        0 => Err(VocabError::UnexpectedRoot {
            found: "(empty object)".into(),
        }),
        _ => Err(VocabError::UnexpectedRoot {
            found: holder
                .children
                .iter()
                .map(|c| c.name.as_str())
                .find(|n| *n != "XmlMsg")
                .unwrap_or("XmlMsg")
                .to_string(),
        }),
    }
}

fn add_members(
    map: &Map<String, Value>,
    parent: &mut Node,
    depth: usize,
    count: &mut usize,
) -> Result<(), VocabError> {
    for (name, v) in map {
        add_value(name, v, parent, depth, count)?;
    }
    Ok(())
}

fn add_value(
    name: &str,
    v: &Value,
    parent: &mut Node,
    depth: usize,
    count: &mut usize,
) -> Result<(), VocabError> {
    // Arrays are flattened into repeated elements without a depth step of their own;
    // serde_json's recursion limit (128) already bounds how deep they can nest.
    if let Value::Array(items) = v {
        for item in items {
            add_value(name, item, parent, depth, count)?;
        }
        return Ok(());
    }
    if depth >= MAX_DEPTH {
        return Err(VocabError::TooDeep { max: MAX_DEPTH });
    }
    *count += 1;
    if *count > MAX_ELEMENTS {
        return Err(VocabError::TooManyElements { max: MAX_ELEMENTS });
    }
    let node = match v {
        Value::Null => return Ok(()),
        Value::String(s) => Node::leaf(name, s),
        Value::Number(n) => Node::leaf(name, &n.to_string()),
        Value::Bool(b) => Node::leaf(name, if *b { "true" } else { "false" }),
        Value::Object(m) => {
            let mut node = Node::new(name);
            add_members(m, &mut node, depth + 1, count)?;
            node
        }
        Value::Array(_) => return Ok(()),
    };
    parent.children.push(node);
    Ok(())
}

fn map_error(e: serde_json::Error) -> VocabError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => VocabError::Truncated,
        // serde_json stops at 128 levels before our own limit can see the tree.
        _ if e.to_string().contains("recursion limit") => VocabError::TooDeep { max: MAX_DEPTH },
        _ => VocabError::JsonSyntax {
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        },
    }
}

/// The tree as JSON. Items of 0..n lists are always arrays, so readers need not guess.
pub(crate) fn to_value(node: &Node) -> Value {
    if node.children.is_empty() {
        return Value::String(node.text.clone());
    }
    let mut map = Map::new();
    for child in &node.children {
        let v = to_value(child);
        match map.get_mut(&child.name) {
            Some(Value::Array(a)) => a.push(v),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
            }
            None => {
                let v = if child.list_item {
                    Value::Array(vec![v])
                } else {
                    v
                };
                map.insert(child.name.clone(), v);
            }
        }
    }
    Value::Object(map)
}
