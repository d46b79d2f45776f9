//! One-time enrollment codes: easy to read aloud and type on a phone, no look-alike characters.
//! The phone and the server normalise a typed code the same way before it is compared.

/// 31 characters: digits and capitals without 0/O, 1/I/L.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters of a code, shown in groups of four with a hyphen.
pub const LENGTH: usize = 10;

/// Builds a code from random bytes: nine random characters (one per byte; rejection sampling keeps them uniform)
/// and a check character. Returns `None` when the bytes ran out before the code was complete.
pub fn from_random_bytes(bytes: &[u8]) -> Option<String> {
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut chars: String = bytes
        .iter()
        .filter(|b| **b < limit)
        .take(LENGTH - 1)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    if chars.len() < LENGTH - 1 {
        return None;
    }
    chars.push(check_char(&chars)?);
    Some(chars)
}

/// The check character of a code's first nine: a weighted sum modulo 31 (a prime) with the distinct weights 1–9,
/// so any one character typed wrong, and any two neighbours swapped, gives a code whose check fails.
pub fn check_char(first: &str) -> Option<char> {
    let mut sum = 0usize;
    for (i, b) in first.bytes().enumerate() {
        sum += (i + 1) * ALPHABET.iter().position(|a| *a == b)?;
    }
    Some(ALPHABET[sum % ALPHABET.len()] as char)
}

/// Whether a well-formed code's last character checks its first nine: `false` means it was mistyped (or is a code
/// issued before codes had a check character).
pub fn checks(normalized: &str) -> bool {
    is_well_formed(normalized)
        && check_char(&normalized[..LENGTH - 1]) == normalized[LENGTH - 1..].chars().next()
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
        assert_eq!(
            from_random_bytes(&[0; 8]),
            None,
            "nine random characters are needed"
        );
        assert!(checks(&from_random_bytes(&[0; 9]).unwrap()));
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
    fn every_single_typo_and_swap_of_neighbours_fails_the_check() {
        let bytes: Vec<u8> = (0..64).map(|i| (i * 37 % 248) as u8).collect();
        let code = from_random_bytes(&bytes).unwrap();
        assert!(checks(&code), "{code}");
        let chars: Vec<u8> = code.bytes().collect();
        for i in 0..LENGTH {
            for &other in ALPHABET.iter().filter(|a| **a != chars[i]) {
                let mut typo = chars.clone();
                typo[i] = other;
                assert!(
                    !checks(std::str::from_utf8(&typo).unwrap()),
                    "{i}: {}",
                    other as char
                );
            }
            if i + 1 < LENGTH && chars[i] != chars[i + 1] {
                let mut swapped = chars.clone();
                swapped.swap(i, i + 1);
                assert!(
                    !checks(std::str::from_utf8(&swapped).unwrap()),
                    "swap at {i}"
                );
            }
        }
    }

    #[test]
    fn codes_display_in_groups_of_four() {
        assert_eq!(display("ABCDEFGHJK"), "ABCD-EFGH-JK");
    }
}
