//! Job admission for one of the companion's worker threads (the card's, or the
//! service's): each page has at most one piece of work waiting or running there, the line
//! is bounded, and a page that leaves takes its waiting work with it. Without this, one
//! page could queue thousands of commands and make another page's card status wait for
//! all of them. Pure: the companion wraps it in a mutex and a condition variable.

use std::collections::VecDeque;

/// Pages with work in one line at once (running included).
pub const MAX_LINE: usize = 16;

#[derive(Debug)]
pub struct Entry<T> {
    pub conn: u64,
    pub req: Option<u64>,
    pub item: T,
}

/// Why work was not admitted: `position` is how many entries run or wait ahead of the
/// page's earlier work (0 = it is running), or the length of a full line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub position: u32,
}

#[derive(Debug)]
pub struct JobQueue<T> {
    running: Option<u64>,
    waiting: VecDeque<Entry<T>>,
}

impl<T> Default for JobQueue<T> {
    fn default() -> Self {
        JobQueue {
            running: None,
            waiting: VecDeque::new(),
        }
    }
}

impl<T> JobQueue<T> {
    fn position_of(&self, conn: u64) -> Option<u32> {
        if self.running == Some(conn) {
            return Some(0);
        }
        let ahead = u32::from(self.running.is_some());
        self.waiting
            .iter()
            .position(|e| e.conn == conn)
            .map(|i| i as u32 + ahead)
    }

    /// How many entries run or wait (the next admitted one would be at this position).
    pub fn len(&self) -> usize {
        self.waiting.len() + usize::from(self.running.is_some())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A page's new work. `Ok(position)`: admitted, with that many entries ahead of it.
    pub fn admit(&mut self, conn: u64, req: Option<u64>, item: T) -> Result<u32, Busy> {
        if let Some(position) = self.position_of(conn) {
            return Err(Busy { position });
        }
        if self.len() >= MAX_LINE {
            return Err(Busy {
                position: self.len() as u32,
            });
        }
        let position = self.len() as u32;
        self.waiting.push_back(Entry { conn, req, item });
        Ok(position)
    }

    /// The next step of work already admitted elsewhere (a check moving from the card to
    /// the service): it must not be refused halfway, so it skips the per-page rule.
    pub fn continue_with(&mut self, conn: u64, req: Option<u64>, item: T) -> u32 {
        let position = self.len() as u32;
        self.waiting.push_back(Entry { conn, req, item });
        position
    }

    /// The worker takes the next entry; it counts as running until [`JobQueue::finished`].
    pub fn take(&mut self) -> Option<Entry<T>> {
        let e = self.waiting.pop_front()?;
        self.running = Some(e.conn);
        Some(e)
    }

    pub fn finished(&mut self) {
        self.running = None;
    }

    /// The page left: its waiting work is dropped (work already running finishes; a card
    /// session always ends with the card reset). Returns how many were dropped.
    pub fn drop_conn(&mut self, conn: u64) -> usize {
        let before = self.waiting.len();
        self.waiting.retain(|e| e.conn != conn);
        before - self.waiting.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_piece_of_work_per_page_and_busy_says_where_the_earlier_one_is() {
        let mut q = JobQueue::default();
        assert_eq!(q.admit(1, Some(1), "a1"), Ok(0));
        assert_eq!(q.admit(2, Some(1), "b1"), Ok(1));
        assert_eq!(q.admit(1, Some(2), "a2"), Err(Busy { position: 0 }));
        let e = q.take().expect("a1");
        assert_eq!((e.conn, e.item), (1, "a1"));
        // Running still counts as outstanding for page 1.
        assert_eq!(q.admit(1, Some(2), "a2"), Err(Busy { position: 0 }));
        assert_eq!(q.admit(2, Some(2), "b2"), Err(Busy { position: 1 }));
        q.finished();
        assert_eq!(q.admit(1, Some(2), "a2"), Ok(1));
    }

    #[test]
    fn the_line_is_bounded() {
        let mut q = JobQueue::default();
        for c in 0..MAX_LINE as u64 {
            assert!(q.admit(c, None, ()).is_ok());
        }
        assert_eq!(
            q.admit(99, None, ()),
            Err(Busy {
                position: MAX_LINE as u32
            })
        );
    }

    #[test]
    fn a_leaving_page_takes_its_waiting_work_but_not_the_running_one() {
        let mut q = JobQueue::default();
        q.admit(1, None, "slow").expect("ok");
        q.admit(2, None, "b").expect("ok");
        assert_eq!(q.take().map(|e| e.item), Some("slow"));
        q.continue_with(1, None, "service half");
        assert_eq!(q.drop_conn(1), 1);
        assert_eq!(q.take().map(|e| e.item), Some("b"));
        assert!(q.take().is_none());
    }
}
