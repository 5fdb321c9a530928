//! Keeps docs/protocol.md honest: every example there must parse as the type it claims to
//! be, and every command and message must have an example.

use super::{decode_client, decode_server, Message, COMMAND_NAMES};

const DOC: &str = include_str!("../../../docs/protocol.md");

/// (kind, body) of each ```json client / ```json server block.
fn examples() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut lines = DOC.lines();
    while let Some(line) = lines.next() {
        let kind = match line.trim() {
            "```json client" => "client",
            "```json server" => "server",
            _ => continue,
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        out.push((kind, body.join("\n")));
    }
    out
}

#[test]
fn every_example_parses() {
    let ex = examples();
    assert!(ex.len() > 20, "found only {} examples", ex.len());
    for (kind, body) in &ex {
        match *kind {
            "client" => {
                if let Err(e) = decode_client(body) {
                    panic!("client example does not parse ({e:?}):\n{body}");
                }
            }
            _ => {
                if let Err(e) = decode_server(body) {
                    panic!("server example does not parse ({e}):\n{body}");
                }
            }
        }
    }
}

#[test]
fn every_command_and_message_is_documented() {
    let ex = examples();
    for name in COMMAND_NAMES {
        let needle = format!("\"cmd\": \"{name}\"");
        assert!(
            ex.iter()
                .any(|(k, b)| *k == "client" && b.contains(&needle)),
            "no example for command {name}"
        );
    }
    let documented: Vec<String> = ex
        .iter()
        .filter(|(k, _)| *k == "server")
        .filter_map(|(_, b)| decode_server(b).ok())
        .map(|m| msg_name(&m.body))
        .collect();
    // Every message, from the type itself: a new one cannot go undocumented.
    for name in <Message as strum::VariantNames>::VARIANTS {
        assert!(
            documented.iter().any(|d| d == name),
            "no example for message {name}"
        );
    }
}

/// The wire name of a message, from its own serialisation (so a renamed variant shows up).
fn msg_name(m: &Message) -> String {
    serde_json::to_value(m)
        .ok()
        .and_then(|v| v["msg"].as_str().map(str::to_string))
        .unwrap_or_default()
}
