//! 驿站码, the rider's station pass: a time-based one-time code (RFC 6238 / TOTP: HMAC-SHA1, 30-second steps,
//! 8 digits) computed on the phone from the secret handed over at enrollment, with no network. The QR code
//! carries the rider's id with the code, so staff need not type anything; the 8 digits alone can be typed or
//! read aloud, and the server finds the rider whose code it is.
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Seconds a code lives.
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 8;
/// Steps on either side of `scanned_at` that are still accepted (clock drift, a slow scan).
pub const TOLERANCE_STEPS: i64 = 1;
/// What a QR pass starts with.
pub const QR_PREFIX: &str = "SSP1";

/// RFC 4226 HOTP with dynamic truncation.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    bin % 10u32.pow(digits)
}

/// The step a Unix time falls in.
pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The code of `secret` at `unix_secs`, zero-padded to [`DIGITS`].
pub fn code_at(secret: &[u8], unix_secs: i64) -> String {
    format!(
        "{:0width$}",
        hotp(secret, step_of(unix_secs).max(0) as u64, DIGITS),
        width = DIGITS as usize
    )
}

/// Seconds until the code shown at `unix_secs` changes.
pub fn seconds_left(unix_secs: i64) -> i64 {
    STEP_SECS - unix_secs.rem_euclid(STEP_SECS)
}

/// Steps before and after the server's own clock in which a typed code (one without the rider's id) is accepted:
/// the code on screen now, or the one just replaced. A typed code is checked only while the station is online;
/// a station that syncs later sends the QR text, which names the rider.
pub const TYPED_STEPS: std::ops::RangeInclusive<i64> = -1..=0;

/// The code of `secret` at `step`.
pub fn code_of_step(secret: &[u8], step: i64) -> Option<String> {
    (step >= 0).then(|| {
        format!(
            "{:0width$}",
            hotp(secret, step as u64, DIGITS),
            width = DIGITS as usize
        )
    })
}

/// The step `code` belongs to, among the steps around `at` (`offsets` steps from `at`'s own); `None` when it is
/// none of their codes. A check-in is keyed on this step, so one code is one visit wherever it is shown.
pub fn matching_step(
    secret: &[u8],
    code: &str,
    at: i64,
    offsets: std::ops::RangeInclusive<i64>,
) -> Option<i64> {
    if code.len() != DIGITS as usize {
        return None;
    }
    let step = step_of(at);
    offsets
        .map(|d| step + d)
        .find(|s| code_of_step(secret, *s).is_some_and(|c| c == code))
}

/// Whether `code` was a valid code of `secret` at `scanned_at` (within the tolerance).
pub fn verify(secret: &[u8], code: &str, scanned_at: i64) -> bool {
    matching_step(secret, code, scanned_at, -TOLERANCE_STEPS..=TOLERANCE_STEPS).is_some()
}

/// What staff read from a pass: from a QR code, the rider's id and the code; typed, the code alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPass {
    pub rider_id: Option<String>,
    pub code: String,
}

/// The QR text of a pass.
pub fn qr_text(rider_id: &str, code: &str) -> String {
    format!("{QR_PREFIX}:{rider_id}:{code}")
}

/// Reads a scanned QR text or a typed code (spaces and hyphens ignored). `None` when it is neither.
pub fn read(text: &str) -> Option<ReadPass> {
    let text = text.trim();
    if let Some(rest) = text
        .strip_prefix(QR_PREFIX)
        .and_then(|r| r.strip_prefix(':'))
    {
        let (rider, code) = rest.rsplit_once(':')?;
        return (is_code(code) && !rider.is_empty()).then(|| ReadPass {
            rider_id: Some(rider.to_owned()),
            code: code.to_owned(),
        });
    }
    let digits: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    is_code(&digits).then_some(ReadPass {
        rider_id: None,
        code: digits,
    })
}

fn is_code(s: &str) -> bool {
    s.len() == DIGITS as usize && s.bytes().all(|b| b.is_ascii_digit())
}

/// A pass secret as handed over at enrollment (hex) in bytes.
pub fn secret_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `1234 5678`: how a code is shown, to read aloud.
pub fn display(code: &str) -> String {
    if is_code(code) {
        format!("{} {}", &code[..4], &code[4..])
    } else {
        code.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn display_shows_codes_in_two_groups_and_anything_else_as_it_is() {
        assert_eq!(display("12345678"), "1234 5678");
        // Eight bytes that are not eight digits (found by the property tests: slicing it panicked).
        assert_eq!(display("*\u{1EE6A}\u{0BA3}"), "*\u{1EE6A}\u{0BA3}");
    }

    #[test]
    fn rfc_6238_sha1_test_vectors() {
        for (t, want) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(code_at(RFC_SECRET, t), want, "T = {t}");
        }
    }

    #[test]
    fn rfc_4226_hotp_vectors() {
        let want = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, w) in want.into_iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64, 6), w);
        }
    }

    #[test]
    fn the_matching_step_is_the_codes_own_not_the_scans() {
        let t = 1_800_000_015;
        let code = code_at(RFC_SECRET, t);
        let own = step_of(t);
        for scanned in [t - STEP_SECS, t, t + STEP_SECS] {
            assert_eq!(
                matching_step(RFC_SECRET, &code, scanned, -1..=1),
                Some(own),
                "scanned at {scanned}"
            );
        }
        assert_eq!(
            matching_step(RFC_SECRET, &code, t + STEP_SECS, TYPED_STEPS),
            Some(own)
        );
        assert_eq!(
            matching_step(RFC_SECRET, &code, t - STEP_SECS, TYPED_STEPS),
            None,
            "not before it is shown"
        );
        assert_eq!(
            matching_step(RFC_SECRET, &code, t + 2 * STEP_SECS, TYPED_STEPS),
            None
        );
        assert_eq!(code_of_step(RFC_SECRET, -1), None);
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_no_further() {
        let t = 1_800_000_015;
        let code = code_at(RFC_SECRET, t);
        assert!(verify(RFC_SECRET, &code, t));
        assert!(
            verify(RFC_SECRET, &code, t + STEP_SECS),
            "scanned just after it changed"
        );
        assert!(
            verify(RFC_SECRET, &code, t - STEP_SECS),
            "the phone's clock a little ahead"
        );
        assert!(
            !verify(RFC_SECRET, &code, t + 2 * STEP_SECS),
            "a screenshot a minute later is worthless"
        );
        assert!(!verify(RFC_SECRET, &code, t - 2 * STEP_SECS));
    }

    #[test]
    fn forged_and_foreign_codes_fail() {
        let t = 1_800_000_000;
        let code = code_at(RFC_SECRET, t);
        let mut forged = code.clone().into_bytes();
        forged[7] = if forged[7] == b'9' {
            b'0'
        } else {
            forged[7] + 1
        };
        assert!(!verify(RFC_SECRET, &String::from_utf8(forged).unwrap(), t));
        assert!(!verify(b"another rider's secret", &code, t));
        assert!(!verify(RFC_SECRET, "1234567", t));
        assert!(!verify(RFC_SECRET, "", t));
    }

    #[test]
    fn window_edges_and_countdown() {
        assert_eq!(step_of(29), 0);
        assert_eq!(step_of(30), 1);
        assert_eq!(seconds_left(30), 30);
        assert_eq!(seconds_left(59), 1);
        assert_eq!(code_at(RFC_SECRET, 30), code_at(RFC_SECRET, 59));
        assert_ne!(code_at(RFC_SECRET, 59), code_at(RFC_SECRET, 60));
    }

    #[test]
    fn passes_are_read_from_qr_text_or_typed_digits() {
        assert_eq!(
            read("SSP1:0192-abc:12345678"),
            Some(ReadPass {
                rider_id: Some("0192-abc".into()),
                code: "12345678".into()
            })
        );
        assert_eq!(
            read(" 1234 5678 "),
            Some(ReadPass {
                rider_id: None,
                code: "12345678".into()
            })
        );
        assert_eq!(
            read("1234-5678"),
            Some(ReadPass {
                rider_id: None,
                code: "12345678".into()
            })
        );
        for bad in [
            "",
            "1234567",
            "123456789",
            "SSP1::12345678",
            "SSP1:x:1234",
            "abcd efgh",
            "SSP2:x:12345678",
        ] {
            assert_eq!(read(bad), None, "{bad:?}");
        }
        assert_eq!(qr_text("u1", "00000001"), "SSP1:u1:00000001");
        assert_eq!(display("12345678"), "1234 5678");
        assert_eq!(secret_bytes("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(secret_bytes("0g"), None);
    }
}
