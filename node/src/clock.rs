//! The node's one clock. Everything in the node takes its time from a [`Clock`]; nothing
//! else reads the system time (clippy bans `SystemTime::now` elsewhere).
//!
//! A node configured with `clock = "manual"` takes its time from an admin route instead
//! of the system, so tests and demos can move time and watch retention, deadlines,
//! staleness and expiry happen on the real node. The config refuses a manual clock off
//! loopback, and the node logs it loudly at start.
//!
//! Day-based rules evaluate in the region's time zone: China Standard Time, UTC+8 all
//! year (no daylight saving since 1991), so a fixed offset is exact. Times are stored
//! as UTC Unix seconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// China Standard Time's offset from UTC, in seconds (Asia/Shanghai, no DST).
pub const SHANGHAI_OFFSET_SECS: u64 = 8 * 3600;

/// Why the clock refused a change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClockError {
    /// Only a manual clock can be set.
    #[error("the clock is the system clock; only a node with clock = \"manual\" can be set")]
    NotManual,
    /// A manual clock never goes backwards: logs and sequences assume monotonic time.
    #[error("the clock cannot go back from {now} to {requested}")]
    Backwards { now: u64, requested: u64 },
}

#[derive(Debug)]
enum Source {
    System,
    Manual(AtomicU64),
}

/// A shared clock handle (cheap to clone).
#[derive(Debug, Clone)]
pub struct Clock {
    source: Arc<Source>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self {
            source: Arc::new(Source::System),
        }
    }

    /// A manual clock starting at `start` (Unix seconds).
    pub fn manual(start: u64) -> Self {
        Self {
            source: Arc::new(Source::Manual(AtomicU64::new(start))),
        }
    }

    /// Whether this clock is manual.
    pub fn is_manual(&self) -> bool {
        matches!(*self.source, Source::Manual(_))
    }

    /// The current time in Unix seconds.
    pub fn now(&self) -> u64 {
        match &*self.source {
            Source::System => system_now(),
            Source::Manual(t) => t.load(Ordering::SeqCst),
        }
    }

    /// Sets a manual clock to `to`, which may not be earlier than now.
    ///
    /// # Errors
    /// [`ClockError::NotManual`] for the system clock; [`ClockError::Backwards`].
    pub fn set(&self, to: u64) -> Result<u64, ClockError> {
        let Source::Manual(t) = &*self.source else {
            return Err(ClockError::NotManual);
        };
        t.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
            (to >= now).then_some(to)
        })
        .map(|_| to)
        .map_err(|now| ClockError::Backwards { now, requested: to })
    }

    /// Moves a manual clock forward by `secs`.
    ///
    /// # Errors
    /// [`ClockError::NotManual`] for the system clock.
    pub fn advance(&self, secs: u64) -> Result<u64, ClockError> {
        let Source::Manual(t) = &*self.source else {
            return Err(ClockError::NotManual);
        };
        Ok(t.fetch_add(secs, Ordering::SeqCst).saturating_add(secs))
    }
}

#[allow(clippy::disallowed_methods)] // the one place that reads the system clock
fn system_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The calendar day number (days since 1970-01-01) of `unix` in Asia/Shanghai.
pub fn shanghai_day(unix: u64) -> u64 {
    unix.saturating_add(SHANGHAI_OFFSET_SECS) / 86_400
}

/// The Unix time of the next Asia/Shanghai midnight after `unix`.
pub fn next_shanghai_midnight(unix: u64) -> u64 {
    (shanghai_day(unix) + 1) * 86_400 - SHANGHAI_OFFSET_SECS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_forward_only() {
        let c = Clock::manual(1_000);
        assert_eq!(c.now(), 1_000);
        assert_eq!(c.advance(60).unwrap(), 1_060);
        assert_eq!(c.set(2_000).unwrap(), 2_000);
        assert_eq!(
            c.set(1_999),
            Err(ClockError::Backwards {
                now: 2_000,
                requested: 1_999
            })
        );
        assert_eq!(Clock::system().set(5), Err(ClockError::NotManual));
    }

    #[test]
    fn shanghai_midnight_is_sixteen_hundred_utc() {
        // 2026-01-01T15:59:59Z is 23:59:59 in Shanghai; one second later is a new day.
        let t = 1_767_283_199;
        assert_eq!(shanghai_day(t) + 1, shanghai_day(t + 1));
        assert_eq!(next_shanghai_midnight(t), t + 1);
    }
}
