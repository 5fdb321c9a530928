//! Fan-out of events (reader and card changes) to every authenticated page.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use ukemi_core::protocol::{Message, ServerMessage};

/// A subscribed session: its connection id and its outgoing channel.
type Subscriber = (u64, Sender<ServerMessage>);

#[derive(Clone, Default)]
pub struct Hub {
    subscribers: Arc<Mutex<Vec<Subscriber>>>,
}

impl Hub {
    pub fn subscribe(&self, id: u64, tx: Sender<ServerMessage>) {
        if let Ok(mut s) = self.subscribers.lock() {
            s.retain(|(i, _)| *i != id);
            s.push((id, tx));
        }
    }

    pub fn unsubscribe(&self, id: u64) {
        if let Ok(mut s) = self.subscribers.lock() {
            s.retain(|(i, _)| *i != id);
        }
    }

    /// Sends an event to every subscriber; pages that went away are dropped.
    pub fn publish(&self, body: Message) {
        if let Ok(mut s) = self.subscribers.lock() {
            s.retain(|(_, tx)| {
                tx.send(ServerMessage {
                    req: None,
                    body: body.clone(),
                })
                .is_ok()
            });
        }
    }
}
