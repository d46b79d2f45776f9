//! The rule of every `PUT` under an id the phone made: the id is unique forever; the same user sending the same
//! content again is a replay (nothing changes, `200`); anything else under that id is `409 id_conflict`.
use axum::http::StatusCode;

use super::{Error, Result};
use crate::domain::api_error::code;

/// What is stored under an id: who stored it and the fingerprint (SHA-256) of its content.
pub type Stored = (String, String);

/// `Ok(true)`: a replay; `Ok(false)`: the id is new; `Err(409 id_conflict)` with `taken` as the message otherwise.
pub fn is_replay(
    stored: Option<Stored>,
    user_id: &str,
    fingerprint: &str,
    taken: &'static str,
) -> Result<bool> {
    match stored {
        None => Ok(false),
        Some((owner, stored_fingerprint))
            if owner == user_id && stored_fingerprint == fingerprint =>
        {
            Ok(true)
        }
        Some(_) => Err(Error::Protocol {
            status: StatusCode::CONFLICT,
            code: code::ID_CONFLICT,
            message: taken,
            details: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_owner_and_content_is_a_replay_and_anything_else_a_conflict() {
        let stored = || Some(("u1".to_owned(), "fp".to_owned()));
        assert!(!is_replay(None, "u1", "fp", "taken").unwrap());
        assert!(is_replay(stored(), "u1", "fp", "taken").unwrap());
        assert!(
            is_replay(stored(), "u1", "other", "taken").is_err(),
            "other content"
        );
        assert!(
            is_replay(stored(), "u2", "fp", "taken").is_err(),
            "another user"
        );
    }
}
