//! What the phone does with an answer: done, try again later (and when), or stop and ask the user.
//! PROTOCOL.md, Client rules: retry network errors, timeouts, 408, 429, 503 and other 5xx with exponential
//! backoff and jitter, honouring `Retry-After`; never retry 409/422.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Done,
    Retry,
    /// The server refused this item for good; keep it and show the reason (需处理).
    NeedsAttention,
    /// The token was refused: pause everything, tell the user, lose nothing.
    SignedOut,
}

pub fn verdict(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Done,
        401 => Verdict::SignedOut,
        408 | 429 | 500..=599 => Verdict::Retry,
        _ => Verdict::NeedsAttention,
    }
}

/// First retry after about 2 s, doubling up to 10 minutes.
const BASE_MS: f64 = 2_000.0;
const CAP_MS: f64 = 600_000.0;

/// Milliseconds to wait before attempt `attempts + 1`. `jitter` in [0, 1) spreads phones apart ("full
/// jitter" between half and all of the exponential step); a server's `Retry-After` is a floor.
pub fn backoff_ms(attempts: u32, retry_after_s: Option<u32>, jitter: f64) -> f64 {
    let step = (BASE_MS * 2f64.powi(attempts.min(20) as i32)).min(CAP_MS);
    let jittered = step * (0.5 + 0.5 * jitter.clamp(0.0, 1.0));
    let floor = retry_after_s.map_or(0.0, |s| s as f64 * 1000.0);
    jittered.max(floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_sort_into_verdicts() {
        for s in [200, 201, 204] {
            assert_eq!(verdict(s), Verdict::Done);
        }
        for s in [408, 429, 500, 502, 503, 504] {
            assert_eq!(verdict(s), Verdict::Retry, "{s}");
        }
        for s in [400, 403, 404, 409, 413, 415, 422] {
            assert_eq!(verdict(s), Verdict::NeedsAttention, "{s}");
        }
        assert_eq!(verdict(401), Verdict::SignedOut);
    }

    #[test]
    fn backoff_doubles_is_capped_and_jittered() {
        assert_eq!(backoff_ms(0, None, 1.0), 2_000.0);
        assert_eq!(backoff_ms(0, None, 0.0), 1_000.0);
        assert_eq!(backoff_ms(3, None, 1.0), 16_000.0);
        assert_eq!(backoff_ms(30, None, 1.0), 600_000.0);
        let a = backoff_ms(2, None, 0.1);
        let b = backoff_ms(2, None, 0.9);
        assert!(a < b && a >= 4_000.0 && b <= 8_000.0);
    }

    #[test]
    fn retry_after_is_a_floor() {
        assert_eq!(backoff_ms(0, Some(30), 1.0), 30_000.0);
        assert_eq!(
            backoff_ms(10, Some(1), 1.0),
            600_000.0,
            "a longer own backoff wins"
        );
    }
}
