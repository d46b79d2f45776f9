//! The pull side of sync: the change feed's page of changes and its opaque cursor.
use serde::{Deserialize, Serialize};

/// One change: the current state of one thing the caller may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct Change {
    pub kind: ChangeKind,
    pub id: String,
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub enum ChangeKind {
    Report,
    Checkin,
    Station,
    Category,
    Points,
    Grid,
    Department,
    /// A rider's concern (困难诉求, 金点子): to its rider and to its station's staff.
    Concern,
    /// A kind this client does not know yet (a newer server): skipped, never a reason to stop syncing.
    #[serde(other)]
    Unknown,
}

/// `GET /changes` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(utoipa::ToSchema))]
pub struct ChangePage {
    pub changes: Vec<Change>,
    pub next_cursor: String,
    pub has_more: bool,
    /// Which life of the server's database this is (an extension): it changes when the database is restored from
    /// a backup, and a phone that sees it change sends again what it had delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<String>,
}

/// Cursors are opaque to clients; inside, a position in the server's commit order.
pub fn encode_cursor(seq: i64) -> String {
    format!("c{seq}")
}

/// The position of a cursor: `c` and 1 to 18 digits, as the OpenAPI document says (`c-0` and `c+5` are no
/// cursors, though `parse` alone would take them; 10¹⁸ changes are more than any district will write).
pub fn decode_cursor(cursor: &str) -> Option<i64> {
    let digits = cursor.strip_prefix('c')?;
    if !(1..=18).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        for bad in ["", "42", "c", "c-1", "c-0", "c+5", "cx", "c1.5"] {
            assert_eq!(decode_cursor(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_cursor_the_document_allows_is_read() {
        // The OpenAPI document's pattern for `cursor`: ^(c[0-9]{1,18})?$ (empty: from the start, as none).
        for ok in ["c0", "c007", &format!("c{}", "9".repeat(18))] {
            assert!(decode_cursor(ok).is_some(), "{ok}");
        }
    }
}
