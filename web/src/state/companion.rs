//! The companion as the page knows it: the connection, pairing, the readers and their cards,
//! the simulator's personas. What the driver reports; the 受付 screen and the widget read it.

use super::Failure;
use ukemi_core::protocol::{CardInfo, PersonaInfo, ReaderInfo};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Conn {
    #[default]
    Connecting,
    Connected {
        host: String,
    },
    /// Nothing answered: the companion is not running, or this page is not allowed.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Pairing {
    #[default]
    Unknown,
    /// Not paired and no request waiting (refused, expired, or slowed down): the page
    /// offers to ask again.
    NotPaired,
    /// A pairing request waits for a person at this PC to approve it on the companion's
    /// approval page, which shows the same `code`.
    Waiting {
        code: String,
        approve_url: String,
    },
    Paired,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Companion {
    pub conn: Conn,
    pub pairing: Pairing,
    /// Why the last pairing (or the proof of a kept key) failed, until it succeeds.
    pub failure: Option<Failure>,
    pub simulator: bool,
    /// The companion keeps the book for this page (`book` among `HELLO`'s features): false
    /// for a companion without it, and for an origin its administrator has not allowed the
    /// book (docs/protocol.md, "Origins").
    pub keeps_book: bool,
    pub readers: Vec<ReaderInfo>,
    /// The companion has listed its readers since the last (re)connection: until then "no
    /// reader" would be a false alarm.
    pub readers_listed: bool,
    pub chosen_reader: Option<String>,
    pub personas: Vec<PersonaInfo>,
    /// Bumped when a card is put in, so the view can move the focus to the PIN once.
    pub card_seq: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Connecting,
    Connected {
        host: String,
        simulator: bool,
        keeps_book: bool,
        need_pairing: bool,
    },
    Failed,
    NotPaired,
    PairingPending {
        code: String,
        approve_url: String,
    },
    Paired,
    /// Pairing or the key's proof failed (`Area::Pairing`).
    PairingFailed(Failure),
    Readers(Vec<ReaderInfo>),
    ReaderAdded(ReaderInfo),
    ReaderRemoved(String),
    Card {
        reader: String,
        card: Option<CardInfo>,
        /// A card was just put in (not a status refresh of one already there).
        inserted: bool,
    },
    ChooseReader(String),
    Personas(Vec<PersonaInfo>),
}

impl Companion {
    /// Connected and paired: checks can be asked for.
    pub fn ready(&self) -> bool {
        matches!(self.conn, Conn::Connected { .. }) && self.pairing == Pairing::Paired
    }

    /// The reader checks go to: the chosen one if present, else the first with a card, else the first.
    pub fn reader(&self) -> Option<&ReaderInfo> {
        self.chosen_reader
            .as_ref()
            .and_then(|n| self.readers.iter().find(|r| &r.name == n))
            .or_else(|| self.readers.iter().find(|r| r.card.is_some()))
            .or_else(|| self.readers.first())
    }

    pub fn card(&self) -> Option<&CardInfo> {
        self.reader().and_then(|r| r.card.as_ref())
    }
}

pub fn reduce(s: &mut Companion, action: Action) {
    match action {
        Action::Connecting => {
            s.conn = Conn::Connecting;
            s.readers_listed = false;
        }
        Action::Connected {
            host,
            simulator,
            keeps_book,
            need_pairing,
        } => {
            s.conn = Conn::Connected { host };
            s.simulator = simulator;
            s.keeps_book = keeps_book;
            s.pairing = if need_pairing {
                Pairing::Unknown
            } else {
                Pairing::Paired
            };
        }
        Action::Failed => {
            s.conn = Conn::Failed;
            s.readers.clear();
            s.readers_listed = false;
        }
        Action::NotPaired => s.pairing = Pairing::NotPaired,
        Action::PairingPending { code, approve_url } => {
            s.pairing = Pairing::Waiting { code, approve_url };
            s.failure = None;
        }
        Action::Paired => {
            s.pairing = Pairing::Paired;
            s.failure = None;
        }
        Action::PairingFailed(f) => s.failure = Some(f),
        Action::Readers(r) => {
            s.readers = r;
            s.readers_listed = true;
        }
        Action::ReaderAdded(r) => {
            s.readers.retain(|x| x.name != r.name);
            s.readers.push(r);
        }
        Action::ReaderRemoved(name) => s.readers.retain(|x| x.name != name),
        Action::Card {
            reader,
            card,
            inserted,
        } => {
            if let Some(r) = s.readers.iter_mut().find(|r| r.name == reader) {
                r.card = card;
            }
            if inserted {
                s.card_seq += 1;
            }
        }
        Action::ChooseReader(name) => s.chosen_reader = Some(name),
        Action::Personas(p) => s.personas = p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Area;
    use ukemi_core::protocol::{CardKind, ErrorCode, ErrorDetail};

    fn reader(name: &str, card: bool) -> ReaderInfo {
        ReaderInfo {
            name: name.into(),
            simulated: false,
            card: card.then_some(CardInfo {
                kind: CardKind::MyNumber,
                pin_tries_left: Some(3),
            }),
        }
    }

    #[test]
    fn the_reader_is_the_chosen_one_then_the_first_with_a_card() {
        let mut s = Companion::default();
        reduce(
            &mut s,
            Action::Readers(vec![reader("A", false), reader("B", true)]),
        );
        assert!(s.readers_listed);
        assert_eq!(s.reader().map(|r| r.name.as_str()), Some("B"));
        reduce(&mut s, Action::ChooseReader("A".into()));
        assert_eq!(s.reader().map(|r| r.name.as_str()), Some("A"));
        assert!(s.card().is_none());
        // A chosen reader that went away: back to the one with a card.
        reduce(&mut s, Action::ReaderRemoved("A".into()));
        assert_eq!(s.reader().map(|r| r.name.as_str()), Some("B"));
    }

    #[test]
    fn a_card_put_in_is_counted_once_a_refresh_is_not() {
        let mut s = Companion::default();
        reduce(&mut s, Action::Readers(vec![reader("A", false)]));
        let card = reader("x", true).card;
        reduce(
            &mut s,
            Action::Card {
                reader: "A".into(),
                card: card.clone(),
                inserted: true,
            },
        );
        reduce(
            &mut s,
            Action::Card {
                reader: "A".into(),
                card,
                inserted: false,
            },
        );
        assert_eq!(s.card_seq, 1);
        assert!(s.card().is_some());
    }

    #[test]
    fn losing_the_companion_forgets_its_readers_until_listed_again() {
        let mut s = Companion::default();
        reduce(&mut s, Action::Readers(vec![reader("A", true)]));
        reduce(&mut s, Action::Failed);
        assert_eq!(s.conn, Conn::Failed);
        assert!(s.readers.is_empty() && !s.readers_listed);
        reduce(
            &mut s,
            Action::Connected {
                host: "127.0.0.1:1".into(),
                simulator: false,
                keeps_book: true,
                need_pairing: true,
            },
        );
        assert!(!s.ready(), "connected but not yet paired");
        reduce(&mut s, Action::Paired);
        assert!(s.ready());
    }

    #[test]
    fn a_pairing_failure_stays_until_pairing_moves_on() {
        let mut s = Companion::default();
        let f = Failure {
            area: Area::Pairing,
            code: ErrorCode::PairingRefused,
            message_ja: "拒否されました".into(),
            message_en: None,
            detail: ErrorDetail::default(),
        };
        reduce(&mut s, Action::PairingFailed(f));
        reduce(&mut s, Action::NotPaired);
        assert!(s.failure.is_some(), "not paired: the reason stays shown");
        reduce(
            &mut s,
            Action::PairingPending {
                code: "1234".into(),
                approve_url: "http://127.0.0.1/pair".into(),
            },
        );
        assert!(s.failure.is_none());
    }
}
