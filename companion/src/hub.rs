//! Fan-out of events (reader and card changes) to every authenticated page.

use crate::session::Outbox;
use std::sync::{Arc, Mutex};
use ukemi_core::protocol::{Message, ServerMessage};

#[derive(Clone, Default)]
pub struct Hub {
    subscribers: Arc<Mutex<Vec<(u64, Outbox)>>>,
}

impl Hub {
    pub fn subscribe(&self, id: u64, outbox: Outbox) {
        if let Ok(mut s) = self.subscribers.lock() {
            s.retain(|(i, _)| *i != id);
            s.push((id, outbox));
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
            s.retain(|(_, outbox)| {
                outbox.send(ServerMessage {
                    req: None,
                    body: body.clone(),
                })
            });
        }
    }
}
