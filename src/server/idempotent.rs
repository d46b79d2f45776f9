//! The rule of every `PUT` under an id the phone made: the id is unique forever; the same user sending the same
//! content again is a replay (nothing changes, `200`); anything else under that id is `409 id_conflict`.
use axum::http::StatusCode;

use super::{Error, Result};
use crate::domain::api_error::code;

/// An id made on a phone: a UUID in its 36-character form; anything else is a `422` naming `id` with `message`.
pub fn check_id(id: &str, message: &str) -> Result<()> {
    if uuid::Uuid::parse_str(id).is_err() || id.len() != 36 {
        return Err(Error::invalid("id", message));
    }
    Ok(())
}

/// The fingerprint of a body: the SHA-256 of its JSON, which a replay must match.
pub fn fingerprint<T: serde::Serialize>(body: &T) -> Result<String> {
    let json = serde_json::to_string(body).map_err(anyhow::Error::from)?;
    Ok(super::secret::sha256_hex(json.as_bytes()))
}

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
