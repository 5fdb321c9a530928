//! XML text to a [`Node`] tree, by hand on quick-xml's event reader: namespaces prefixes
//! and attributes are ignored (the vocabulary uses neither), DTDs are skipped without
//! expanding anything, and depth and element count are bounded.

use super::node::Node;
use super::{VocabError, MAX_DEPTH, MAX_ELEMENTS};
use quick_xml::errors::{Error as XmlError, IllFormedError, SyntaxError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

pub(crate) fn read_tree(text: &str) -> Result<Node, VocabError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut count = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| map_error(e, reader.error_position()))?;
        let position = reader.buffer_position();
        match event {
            Event::Start(_) | Event::Empty(_) if stack.is_empty() && root.is_some() => {
                return Err(VocabError::XmlSyntax {
                    position,
                    reason: "a second root element".into(),
                });
            }
            Event::Start(s) => {
                let node = open(&s, &stack, &mut count, position)?;
                stack.push(node);
            }
            Event::Empty(s) => {
                let node = open(&s, &stack, &mut count, position)?;
                attach(node, &mut stack, &mut root);
            }
            Event::End(_) => {
                // quick-xml checks that end names match, so the stack is never empty here;
                // stay total anyway.
                let node = stack.pop().ok_or(VocabError::XmlSyntax {
                    position,
                    reason: "an end tag without a start tag".into(),
                })?;
                attach(node, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| VocabError::XmlSyntax {
                    position,
                    reason: e.to_string(),
                })?;
                text_into(&s, &mut stack, position)?;
            }
            Event::CData(c) => {
                let raw = c.into_inner();
                let s = std::str::from_utf8(&raw).map_err(|_| VocabError::BadEncoding {
                    encoding: "UTF-8".into(),
                })?;
                text_into(s, &mut stack, position)?;
            }
            Event::Eof => {
                if !stack.is_empty() {
                    return Err(VocabError::Truncated);
                }
                return root.ok_or(VocabError::Truncated);
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
}

fn open(
    s: &BytesStart<'_>,
    stack: &[Node],
    count: &mut usize,
    position: u64,
) -> Result<Node, VocabError> {
    if stack.len() >= MAX_DEPTH {
        return Err(VocabError::TooDeep { max: MAX_DEPTH });
    }
    *count += 1;
    if *count > MAX_ELEMENTS {
        return Err(VocabError::TooManyElements { max: MAX_ELEMENTS });
    }
    let local = s.local_name();
    let name = std::str::from_utf8(local.as_ref()).map_err(|_| VocabError::XmlSyntax {
        position,
        reason: "an element name that is not UTF-8".into(),
    })?;
    Ok(Node::new(name))
}

fn attach(node: Node, stack: &mut [Node], root: &mut Option<Node>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

fn text_into(s: &str, stack: &mut [Node], position: u64) -> Result<(), VocabError> {
    match stack.last_mut() {
        Some(top) => {
            top.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err(VocabError::XmlSyntax {
            position,
            reason: "text outside the root element".into(),
        }),
    }
}

fn map_error(e: XmlError, position: u64) -> VocabError {
    match e {
        // Every "unclosed" condition is the document ending too early.
        XmlError::Syntax(
            SyntaxError::UnclosedTag
            | SyntaxError::UnclosedCData
            | SyntaxError::UnclosedComment
            | SyntaxError::UnclosedDoctype
            | SyntaxError::UnclosedPIOrXmlDecl,
        )
        | XmlError::IllFormed(IllFormedError::MissingEndTag(_)) => VocabError::Truncated,
        other => VocabError::XmlSyntax {
            position,
            reason: other.to_string(),
        },
    }
}
