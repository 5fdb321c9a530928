//! Who holds a loopback port: nobody, a Ukemi companion (it answers HELLO on `/v1` with its
//! name and version), or another program — the question `doctor` asks of the default ports,
//! and the one to ask of a port the companion could not take.

use std::net::{Ipv6Addr, TcpListener, TcpStream};
use std::time::Duration;
use ukemi_core::protocol::{decode_server, encode, ClientInfo, ClientMessage, Command, Message};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortUse {
    Free,
    /// A companion answered: its name and version.
    Companion {
        version: String,
    },
    /// Something that is not a companion (or that would not say).
    Other,
}

/// Whether `port` on 127.0.0.1 (or [::1]) is free, a companion's, or another program's.
pub fn probe(port: u16) -> PortUse {
    let v4 = TcpListener::bind(("127.0.0.1", port)).is_ok();
    let v6 = TcpListener::bind((Ipv6Addr::LOCALHOST, port)).is_ok()
        || TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).is_err();
    if v4 && v6 {
        return PortUse::Free;
    }
    match hello(port) {
        Some(version) => PortUse::Companion { version },
        None => PortUse::Other,
    }
}

/// Says HELLO from the companion's own origin; the companion's version when it answers.
fn hello(port: u16) -> Option<String> {
    use tungstenite::client::IntoClientRequest;
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(3)))
        .ok()?;
    let mut req = format!("ws://127.0.0.1:{port}{}", ukemi_core::protocol::WS_PATH)
        .into_client_request()
        .ok()?;
    let origin = format!("http://127.0.0.1:{port}");
    req.headers_mut().insert("Origin", origin.parse().ok()?);
    let (mut ws, _) = tungstenite::client(req, stream).ok()?;
    let hello = encode(&ClientMessage {
        req: Some(1),
        command: Command::Hello {
            api_levels: ukemi_core::protocol::API_LEVELS.to_vec(),
            client: ClientInfo {
                name: "ukemi-companion doctor".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
        },
    });
    ws.send(tungstenite::Message::text(hello)).ok()?;
    for _ in 0..4 {
        if let tungstenite::Message::Text(t) = ws.read().ok()? {
            let m = decode_server(t.as_str()).ok()?;
            if let Message::Hello { companion, .. } = m.body {
                let _ = ws.close(None);
                return (companion.name == "ukemi-companion").then_some(companion.version);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_port_is_held_by_another_program() {
        let held = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let port = held.local_addr().expect("addr").port();
        // It accepts and never answers: not a companion.
        std::thread::spawn(move || {
            let _kept: Vec<_> = held.incoming().take(2).collect();
        });
        assert_eq!(probe(port), PortUse::Other);
        let free = TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let port = free.local_addr().expect("addr").port();
        drop(free);
        assert_eq!(probe(port), PortUse::Free);
    }
}
