//! Limits failed attempts per client address (enrollment codes): after `max` failures in `window`,
//! further attempts are refused until the window has passed.
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

#[cfg(test)]
mod tests {
    use super::*;

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
