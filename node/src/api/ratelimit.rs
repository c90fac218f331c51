//! In-memory token-bucket rate limiting, keyed by principal (per token) or by client IP
//! (unauthenticated routes). The route middleware calls [`RateLimiter::check`]; a refusal
//! becomes 429 `rate_limited` with `Retry-After`.
//!
//! Buckets live in a sharded map (one mutex per shard, so many terminals verifying at
//! once do not contend on one lock) and idle full buckets are evicted when a shard grows
//! past a bound, so scanning with many keys cannot grow memory without limit. Time is a
//! monotonic millisecond count passed in: the limiter must keep refilling while a manual
//! node clock stands still, so it does not use the node's [`Clock`](crate::clock::Clock).
//! Limits are per node process, not cluster-wide.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Serialize};

/// A rate: `per_sec` tokens refill each second, up to `burst`. A `burst` of 0 disables
/// the limit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateSpec {
    /// Sustained requests per second.
    pub per_sec: f64,
    /// Bucket size: requests allowed at once after idling.
    pub burst: u32,
}

const SHARDS: usize = 32;
const MAX_KEYS_PER_SHARD: usize = 8_192;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last_ms: u64,
}

/// A keyed token-bucket limiter.
#[derive(Debug)]
pub struct RateLimiter {
    spec: RateSpec,
    hasher: RandomState,
    shards: Vec<Mutex<HashMap<String, Bucket>>>,
}

impl RateLimiter {
    /// A limiter enforcing `spec` per key.
    pub fn new(spec: RateSpec) -> Self {
        Self {
            spec,
            hasher: RandomState::new(),
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }

    /// Takes one token from `key`'s bucket at monotonic time `now_ms`.
    ///
    /// # Errors
    /// The whole seconds to wait (at least 1) when the bucket is empty.
    pub fn check(&self, key: &str, now_ms: u64) -> Result<(), u64> {
        if self.spec.burst == 0 {
            return Ok(());
        }
        let burst = f64::from(self.spec.burst);
        let idx = (self.hasher.hash_one(key) as usize) % SHARDS;
        let Some(shard) = self.shards.get(idx) else {
            return Ok(());
        };
        // A poisoned shard only means another request panicked mid-update; the buckets
        // are still plain numbers, so keep using them.
        let mut map = shard.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS_PER_SHARD && !map.contains_key(key) {
            let spec = self.spec;
            map.retain(|_, b| refilled(b, now_ms, spec, burst) < burst);
        }
        let bucket = map.entry(key.to_owned()).or_insert(Bucket {
            tokens: burst,
            last_ms: now_ms,
        });
        let tokens = refilled(bucket, now_ms, self.spec, burst);
        bucket.last_ms = now_ms.max(bucket.last_ms);
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            Ok(())
        } else {
            bucket.tokens = tokens;
            let wait = if self.spec.per_sec > 0.0 {
                ((1.0 - tokens) / self.spec.per_sec).ceil()
            } else {
                3600.0
            };
            // Saturating float-to-int cast: the wait is finite and non-negative here.
            Err((wait as u64).max(1))
        }
    }
}

fn refilled(b: &Bucket, now_ms: u64, spec: RateSpec, burst: f64) -> f64 {
    let elapsed = now_ms.saturating_sub(b.last_ms) as f64 / 1000.0;
    (b.tokens + elapsed * spec.per_sec.max(0.0)).min(burst)
}

/// Microseconds on a process-wide monotonic clock, for rate limiting and latency only
/// (never for anything a node decides by date: that is [`crate::clock::Clock`]).
#[allow(clippy::disallowed_methods)] // monotonic elapsed time, not the node's notion of now
pub fn monotonic_us() -> u64 {
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    let start = START.get_or_init(std::time::Instant::now);
    u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// [`monotonic_us`] in milliseconds.
pub fn monotonic_ms() -> u64 {
    monotonic_us() / 1000
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn burst_then_refusal_then_refill() {
        let rl = RateLimiter::new(RateSpec {
            per_sec: 2.0,
            burst: 3,
        });
        for _ in 0..3 {
            assert_eq!(rl.check("a", 0), Ok(()));
        }
        assert_eq!(rl.check("a", 0), Err(1));
        assert_eq!(rl.check("b", 0), Ok(()), "keys are independent");
        assert_eq!(rl.check("a", 499), Err(1));
        assert_eq!(
            rl.check("a", 500),
            Ok(()),
            "half a second refills one token"
        );
        assert_eq!(rl.check("a", 500), Err(1));
    }

    #[test]
    fn zero_burst_disables() {
        let rl = RateLimiter::new(RateSpec {
            per_sec: 0.0,
            burst: 0,
        });
        for _ in 0..1000 {
            assert_eq!(rl.check("k", 0), Ok(()));
        }
    }

    #[test]
    fn slow_rates_report_long_waits() {
        let rl = RateLimiter::new(RateSpec {
            per_sec: 0.1,
            burst: 1,
        });
        assert_eq!(rl.check("k", 0), Ok(()));
        assert_eq!(rl.check("k", 0), Err(10));
    }

    proptest! {
        /// Over any request pattern, a key never gets more than burst + rate * elapsed.
        #[test]
        fn never_exceeds_budget(gaps in proptest::collection::vec(0u64..400, 1..200)) {
            let spec = RateSpec { per_sec: 5.0, burst: 4 };
            let rl = RateLimiter::new(spec);
            let (mut now, mut allowed) = (0u64, 0u64);
            for g in gaps {
                now += g;
                if rl.check("k", now).is_ok() { allowed += 1; }
            }
            let budget = 4.0 + 5.0 * now as f64 / 1000.0;
            prop_assert!(allowed as f64 <= budget + 1e-9, "{allowed} > {budget}");
        }
    }
}
