//! Which connections the companion holds, and who gives way when there are too many. On
//! loopback every peer is 127.0.0.1 and of the same user (others are refused before this),
//! so the limits are by phase and by page origin: connections that have not proved a key
//! are capped in all and per origin, and when the cap is reached the oldest idle one is
//! closed to make room; only when none can be is the newcomer refused, with HTTP 503 and a
//! reason. A stream of idle sockets therefore cannot lock a page out. Pure; times in ms.

/// Connections that have not proved a key (reading the request head, or unpaired).
pub const MAX_UNPAIRED: usize = 24;
/// Of those, from one page origin.
pub const MAX_UNPAIRED_PER_ORIGIN: usize = 8;
/// Pages that proved their key.
pub const MAX_PAIRED: usize = 64;
/// A new connection must send its request head within this time.
pub const HEAD_DEADLINE_MS: u64 = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Accepted; the request head has not arrived.
    Head,
    /// A WebSocket that has not proved a key.
    Unpaired,
    /// A WebSocket whose pairing request waits on the approval page: not evicted.
    Pending,
    Paired,
    /// A plain HTTP request (static file, approval page): short-lived, not evicted.
    Http,
}

#[derive(Debug, Clone)]
struct Slot {
    id: u64,
    origin: Option<String>,
    phase: Phase,
    since_ms: u64,
}

#[derive(Debug, Default)]
pub struct Slots {
    slots: Vec<Slot>,
}

/// A new connection may come in, possibly after closing `evict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admitted {
    pub evict: Option<u64>,
}

impl Slots {
    fn unpaired(&self) -> impl Iterator<Item = &Slot> {
        self.slots
            .iter()
            .filter(|s| matches!(s.phase, Phase::Head | Phase::Unpaired | Phase::Pending))
    }

    /// The oldest connection that may be closed to make room, among `pick`.
    fn oldest_idle(&self, pick: impl Fn(&Slot) -> bool) -> Option<u64> {
        self.slots
            .iter()
            .filter(|s| matches!(s.phase, Phase::Head | Phase::Unpaired) && pick(s))
            .min_by_key(|s| (s.since_ms, s.id))
            .map(|s| s.id)
    }

    /// A TCP connection was accepted.
    pub fn accept(&mut self, id: u64, now_ms: u64) -> Result<Admitted, &'static str> {
        let mut evict = None;
        if self.unpaired().count() >= MAX_UNPAIRED {
            evict = Some(self.oldest_idle(|_| true).ok_or("too many connections")?);
            self.remove(evict.unwrap_or_default());
        }
        self.slots.push(Slot {
            id,
            origin: None,
            phase: Phase::Head,
            since_ms: now_ms,
        });
        Ok(Admitted { evict })
    }

    /// The head arrived: a WebSocket from `origin`, or (`None`) a plain HTTP request.
    pub fn classify(
        &mut self,
        id: u64,
        origin: Option<&str>,
        now_ms: u64,
    ) -> Result<Admitted, &'static str> {
        let mut evict = None;
        if let Some(o) = origin {
            let same = |s: &Slot| s.id != id && s.origin.as_deref() == Some(o);
            if self.unpaired().filter(|s| same(s)).count() >= MAX_UNPAIRED_PER_ORIGIN {
                evict = Some(
                    self.oldest_idle(same)
                        .ok_or("too many connections from this origin")?,
                );
                self.remove(evict.unwrap_or_default());
            }
        }
        if let Some(s) = self.slots.iter_mut().find(|s| s.id == id) {
            s.origin = origin.map(str::to_string);
            s.phase = if origin.is_some() {
                Phase::Unpaired
            } else {
                Phase::Http
            };
            s.since_ms = now_ms;
        }
        Ok(Admitted { evict })
    }

    /// The session moved on (pairing requested, proved, unpaired again).
    pub fn set_phase(&mut self, id: u64, phase: Phase, now_ms: u64) -> Result<(), &'static str> {
        if phase == Phase::Paired
            && self
                .slots
                .iter()
                .filter(|s| s.phase == Phase::Paired && s.id != id)
                .count()
                >= MAX_PAIRED
        {
            return Err("too many pages");
        }
        if let Some(s) = self.slots.iter_mut().find(|s| s.id == id) {
            if s.phase != phase {
                s.phase = phase;
                s.since_ms = now_ms;
            }
        }
        Ok(())
    }

    pub fn remove(&mut self, id: u64) {
        self.slots.retain(|s| s.id != id);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.slots.len()
    }
}

/// Logs refusals at most once a second, saying how many were not logged.
#[derive(Debug, Default)]
pub struct RateLog {
    last_ms: Option<u64>,
    quiet: u32,
}

impl RateLog {
    /// `Some(n)`: log now, `n` refusals went unlogged since the last line.
    pub fn allow(&mut self, now_ms: u64) -> Option<u32> {
        match self.last_ms {
            Some(t) if now_ms < t + 1_000 => {
                self.quiet += 1;
                None
            }
            _ => {
                self.last_ms = Some(now_ms);
                Some(std::mem::take(&mut self.quiet))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_sockets_make_room_for_a_newcomer_oldest_first() {
        let mut s = Slots::default();
        for id in 0..MAX_UNPAIRED as u64 {
            assert_eq!(s.accept(id, id), Ok(Admitted { evict: None }));
        }
        assert_eq!(s.accept(100, 100), Ok(Admitted { evict: Some(0) }));
        assert_eq!(s.accept(101, 101), Ok(Admitted { evict: Some(1) }));
        assert_eq!(s.len(), MAX_UNPAIRED);
    }

    #[test]
    fn paired_and_pending_connections_are_never_evicted_and_a_full_house_gets_503() {
        let mut s = Slots::default();
        for id in 0..MAX_UNPAIRED as u64 {
            s.accept(id, 0).expect("ok");
            s.classify(id, Some(&format!("https://o{id}.example")), 0)
                .expect("ok");
            s.set_phase(id, Phase::Pending, 0).expect("ok");
        }
        assert_eq!(s.accept(100, 1), Err("too many connections"));
        s.set_phase(3, Phase::Paired, 2).expect("ok");
        assert_eq!(s.accept(101, 3), Ok(Admitted { evict: None }));
    }

    #[test]
    fn one_origin_cannot_take_every_unpaired_slot() {
        let mut s = Slots::default();
        let o = "https://noisy.example";
        for id in 0..MAX_UNPAIRED_PER_ORIGIN as u64 {
            s.accept(id, id).expect("ok");
            s.classify(id, Some(o), id).expect("ok");
        }
        s.accept(50, 50).expect("ok");
        assert_eq!(s.classify(50, Some(o), 50), Ok(Admitted { evict: Some(0) }));
        s.accept(51, 51).expect("ok");
        assert_eq!(
            s.classify(51, Some("http://127.0.0.1:47615"), 51),
            Ok(Admitted { evict: None })
        );
    }

    #[test]
    fn paired_pages_are_capped() {
        let mut s = Slots::default();
        for id in 0..MAX_PAIRED as u64 {
            s.accept(id, 0).expect("ok");
            s.set_phase(id, Phase::Paired, 0).expect("ok");
        }
        s.accept(999, 0).expect("ok");
        assert_eq!(s.set_phase(999, Phase::Paired, 0), Err("too many pages"));
    }

    #[test]
    fn refusal_logging_is_rate_limited() {
        let mut r = RateLog::default();
        assert_eq!(r.allow(0), Some(0));
        assert_eq!(r.allow(10), None);
        assert_eq!(r.allow(999), None);
        assert_eq!(r.allow(1_000), Some(2));
    }
}
