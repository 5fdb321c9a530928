//! Fan-out of events (reader and card changes, the book's) to every authenticated page;
//! the book's only to pages whose origin may use the book.

use crate::session::Outbox;
use std::sync::{Arc, Mutex};
use ukemi_core::protocol::{Message, ServerMessage};

#[derive(Clone, Default)]
pub struct Hub {
    /// (connection, its outbox, whether its origin may use the book).
    subscribers: Arc<Mutex<Vec<(u64, Outbox, bool)>>>,
}

impl Hub {
    pub fn subscribe(&self, id: u64, outbox: Outbox, book: bool) {
        if let Ok(mut s) = self.subscribers.lock() {
            s.retain(|(i, _, _)| *i != id);
            s.push((id, outbox, book));
        }
    }

    pub fn unsubscribe(&self, id: u64) {
        if let Ok(mut s) = self.subscribers.lock() {
            s.retain(|(i, _, _)| *i != id);
        }
    }

    /// Sends an event to every subscriber; pages that went away are dropped.
    pub fn publish(&self, body: Message) {
        let of_book = matches!(body, Message::BookChanged { .. });
        if let Ok(mut s) = self.subscribers.lock() {
            s.retain(|(_, outbox, book)| {
                if of_book && !book {
                    return true;
                }
                outbox.send(ServerMessage {
                    req: None,
                    body: body.clone(),
                })
            });
        }
    }
}
