//! Limits per client: failed enrollment attempts per address ([`FailureLimiter`]: after `max` failures in
//! `window`, further attempts are refused until the window has passed), and requests per signed-in user
//! ([`RequestLimiter`]: a token bucket, so a phone emptying a long outbox gets its burst and then a steady rate).
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct FailureLimiter {
    max: u32,
    window: Duration,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// Addresses remembered at most; older windows are dropped first when this fills.
const MAX_TRACKED: usize = 100_000;

impl FailureLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        FailureLimiter {
            max,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(retry_after)` when this address has used up its failures for the current window.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(&ip) {
            Some((count, started)) if *count >= self.max => {
                let elapsed = started.elapsed();
                if elapsed < self.window {
                    Err(self.window - elapsed)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, ip: IpAddr) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if map.len() >= MAX_TRACKED {
            let window = self.window;
            map.retain(|_, (_, started)| now.duration_since(*started) < window);
        }
        let entry = map.entry(ip).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }
}

/// A token bucket per key: `per_minute` requests a minute on average, up to `per_minute` at once.
pub struct RequestLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RequestLimiter {
    /// `per_minute` 0: no limit.
    pub fn new(per_minute: u32) -> Self {
        RequestLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket; `Err(retry_after)` when it is empty.
    pub fn take(&self, key: &str) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / 60.0;
        let now = Instant::now();
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_TRACKED {
            // Full buckets are the same as no bucket: forget them.
            map.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_sec < capacity
            });
        }
        let (tokens, at) = map.entry(key.to_owned()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_sec).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / per_sec))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_gets_the_burst_then_the_steady_rate_and_others_are_not_affected() {
        let limiter = RequestLimiter::new(60); // one a second, 60 at once
        for _ in 0..60 {
            assert!(limiter.take("u1").is_ok());
        }
        let wait = limiter.take("u1").unwrap_err();
        assert!(
            wait <= Duration::from_secs(1) && wait > Duration::ZERO,
            "{wait:?}"
        );
        assert!(
            limiter.take("u2").is_ok(),
            "another user has their own bucket"
        );
        std::thread::sleep(Duration::from_millis(1100));
        assert!(limiter.take("u1").is_ok(), "a second later, one more");
        assert!(
            RequestLimiter::new(0).take("u1").is_ok(),
            "0 means no limit"
        );
    }

    #[test]
    fn refuses_after_max_failures_and_forgives_after_the_window() {
        let limiter = FailureLimiter::new(3, Duration::from_millis(50));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(ip).is_ok());
            limiter.record_failure(ip);
        }
        let wait = limiter.check(ip).unwrap_err();
        assert!(wait <= Duration::from_millis(50));
        assert!(
            limiter.check(other).is_ok(),
            "another address is not affected"
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(limiter.check(ip).is_ok());
        limiter.record_failure(ip);
        assert!(limiter.check(ip).is_ok(), "a new window starts from zero");
    }
}
