//! 導入状況: the companion's last `STATUS` and why the last `GET_STATUS` failed.

use ukemi_core::protocol::{CompanionStatus, ErrorCode, ErrorDetail};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Readiness {
    pub status: Option<CompanionStatus>,
    pub status_error: Option<(ErrorCode, ErrorDetail)>,
    /// Bumped by every answer to `GET_STATUS`, even one equal to the last.
    pub status_seq: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The answer to `GET_STATUS`, or its error.
    Status(Result<CompanionStatus, (ErrorCode, ErrorDetail)>),
}

pub fn reduce(s: &mut Readiness, action: Action) {
    match action {
        Action::Status(answer) => {
            s.status_seq += 1;
            match answer {
                Ok(st) => {
                    s.status = Some(st);
                    s.status_error = None;
                }
                // The last good status stays shown beside the error.
                Err(e) => s.status_error = Some(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_answer_counts_and_an_error_keeps_the_last_status() {
        let mut s = Readiness::default();
        let err = (ErrorCode::Internal, ErrorDetail::default());
        reduce(&mut s, Action::Status(Err(err.clone())));
        reduce(&mut s, Action::Status(Err(err.clone())));
        assert_eq!(s.status_seq, 2, "the same error twice is two answers");
        assert_eq!(s.status_error, Some(err));
        assert!(s.status.is_none());
    }
}
