//! Thresholds for the rolling-window counters and the quorum, deserialisable from the
//! `[authz]` table of `hcx.toml`. Defaults (documented here and in `Default`):
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `bucket_secs` | 300 | counter bucket width; windows are whole buckets, rounded *outwards* (over-counting, never under) |
//! | `windows` | 1 h: 20 per actor, 100 per jurisdiction; 24 h: 100 per actor, 400 per jurisdiction | a transcode that would take a count *past* its limit needs a quorum |
//! | `jurisdiction_digits` | 4 | targets are counted under this prefix of their division code (4: the city) |
//! | `k` | 2 | approvals needed, from distinct admins outside the requester's subtree |
//! | `approval_max_age_secs` | 86 400 | an approval older than this is refused |
//! | `max_skew_secs` | 300 | an approval or evidence this far in the future is refused |
//!
//! Not here: counting (`super::counters`), deciding (`super::quorum`).

use serde::{Deserialize, Serialize};

/// A count limit over one rolling window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowLimit {
    /// Window length, seconds.
    pub secs: u64,
    /// Transcoded targets one actor may reach in the window without a quorum.
    pub per_actor: u64,
    /// Transcoded targets one jurisdiction may reach in the window without a quorum.
    pub per_jurisdiction: u64,
}

/// Counter and quorum settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthzConfig {
    /// Counter bucket width, seconds.
    pub bucket_secs: u64,
    /// Rolling windows and their limits.
    pub windows: Vec<WindowLimit>,
    /// Digits of a target's division code it is counted under.
    pub jurisdiction_digits: usize,
    /// Approvals required when a quorum is needed (1 to 32).
    pub k: u64,
    /// Oldest approval accepted, seconds.
    pub approval_max_age_secs: u64,
    /// Largest accepted clock skew of signed approvals and evidence, seconds.
    pub max_skew_secs: u64,
}

impl Default for AuthzConfig {
    fn default() -> Self {
        Self {
            bucket_secs: 300,
            windows: vec![
                WindowLimit {
                    secs: 3600,
                    per_actor: 20,
                    per_jurisdiction: 100,
                },
                WindowLimit {
                    secs: 86_400,
                    per_actor: 100,
                    per_jurisdiction: 400,
                },
            ],
            jurisdiction_digits: 4,
            k: 2,
            approval_max_age_secs: 86_400,
            max_skew_secs: 300,
        }
    }
}

impl AuthzConfig {
    /// Checks the settings are usable.
    ///
    /// # Errors
    /// A description of the first bad setting.
    pub fn validate(&self) -> Result<(), String> {
        if self.bucket_secs == 0 {
            return Err("authz.bucket_secs must be positive".into());
        }
        if self.windows.is_empty() || self.windows.iter().any(|w| w.secs < self.bucket_secs) {
            return Err("authz.windows must be non-empty and each at least one bucket".into());
        }
        if !matches!(self.jurisdiction_digits, 2 | 4 | 6) {
            return Err("authz.jurisdiction_digits must be 2, 4 or 6".into());
        }
        let max = hcx_protocol::wire::MAX_APPROVALS as u64;
        if self.k == 0 || self.k > max {
            return Err(format!("authz.k must be 1 to {max}"));
        }
        Ok(())
    }

    /// The longest window, seconds.
    pub fn longest_window(&self) -> u64 {
        self.windows.iter().map(|w| w.secs).max().unwrap_or(0)
    }
}
