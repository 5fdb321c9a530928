//! The typed model back to the wire: XML (UTF-8, or Shift_JIS bytes) and JSON, so a
//! simulated service can answer in the service's own vocabulary.

use super::json;
use super::model::XmlMsg;
use super::node::{Element, Node};
use encoding_rs::SHIFT_JIS;
use quick_xml::escape::partial_escape;

/// The message as UTF-8 XML with a declaration, two-space indented. Text is written
/// verbatim (a space-padded insurer number stays padded).
pub fn to_xml(msg: &XmlMsg) -> String {
    render("UTF-8", msg)
}

/// The message as Shift_JIS bytes declaring `encoding="Shift_JIS"`. Characters Shift_JIS
/// cannot hold become numeric character references, which XML readers decode back.
pub fn to_xml_shift_jis(msg: &XmlMsg) -> Vec<u8> {
    let text = render("Shift_JIS", msg);
    let (bytes, _, _) = SHIFT_JIS.encode(&text);
    bytes.into_owned()
}

/// The JSON form `{"XmlMsg":{…}}`, pretty-printed.
pub fn to_json(msg: &XmlMsg) -> String {
    let mut root = serde_json::Map::new();
    root.insert("XmlMsg".into(), json::to_value(&msg.write("XmlMsg")));
    // A map of strings always serialises; fall back to compact form rather than panic.
    serde_json::to_string_pretty(&root)
        .unwrap_or_else(|_| serde_json::Value::Object(root).to_string())
}

fn render(encoding: &str, msg: &XmlMsg) -> String {
    let mut out = format!("<?xml version=\"1.0\" encoding=\"{encoding}\" standalone=\"no\"?>\n");
    write_node(&msg.write("XmlMsg"), 0, &mut out);
    out
}

fn write_node(node: &Node, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    out.push_str(&indent);
    if node.children.is_empty() {
        if node.text.is_empty() {
            out.push_str(&format!("<{}/>\n", node.name));
        } else {
            out.push_str(&format!(
                "<{0}>{1}</{0}>\n",
                node.name,
                partial_escape(node.text.as_str())
            ));
        }
        return;
    }
    out.push_str(&format!("<{}>\n", node.name));
    for child in &node.children {
        write_node(child, depth + 1, out);
    }
    out.push_str(&format!("{indent}</{}>\n", node.name));
}
