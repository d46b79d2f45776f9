//! One-time enrollment codes: easy to read aloud and type on a phone, no look-alike characters.
//! The phone and the server normalise a typed code the same way before it is compared.

/// 31 characters: digits and capitals without 0/O, 1/I/L.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters of a code, shown in groups of four with a hyphen.
pub const LENGTH: usize = 10;

/// Builds a code from random bytes (one character per byte; rejection sampling keeps it uniform).
/// Returns `None` when the bytes ran out before the code was complete.
pub fn from_random_bytes(bytes: &[u8]) -> Option<String> {
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let chars: String = bytes
        .iter()
        .filter(|b| **b < limit)
        .take(LENGTH)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    (chars.len() == LENGTH).then_some(chars)
}

/// The canonical form of a typed code: capitals, without spaces or hyphens (half- or full-width).
pub fn normalize(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '－')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

pub fn is_well_formed(normalized: &str) -> bool {
    normalized.len() == LENGTH && normalized.bytes().all(|b| ALPHABET.contains(&b))
}

/// `ABCD-EFGH-JK`: how a code is printed and shown.
pub fn display(normalized: &str) -> String {
    normalized
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alphabet_has_no_look_alikes() {
        for c in b"01OIL" {
            assert!(!ALPHABET.contains(c), "{}", *c as char);
        }
        assert_eq!(ALPHABET.len(), 31);
    }

    #[test]
    fn codes_are_built_from_random_bytes_without_bias() {
        let bytes: Vec<u8> = (0..=255).collect();
        let code = from_random_bytes(&bytes).unwrap();
        assert!(is_well_formed(&code));
        // 248 = 8 × 31: bytes from 248 up are skipped, so every character is equally likely.
        assert_eq!(from_random_bytes(&[250; 32]), None);
        assert_eq!(from_random_bytes(&[0; 9]), None);
    }

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(normalize(" abcd-efgh jk "), "ABCDEFGHJK");
        assert!(is_well_formed(&normalize("abcd-efgh-jk")));
        assert!(
            !is_well_formed(&normalize("ABCD-EFGH-J0")),
            "0 is not in the alphabet"
        );
        assert!(!is_well_formed("ABCDEFGHJ"), "too short");
        assert!(!is_well_formed("ÄBCDEFGHJK"));
    }

    #[test]
    fn codes_display_in_groups_of_four() {
        assert_eq!(display("ABCDEFGHJK"), "ABCD-EFGH-JK");
    }
}
