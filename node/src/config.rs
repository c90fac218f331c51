//! `DIR/hcx.toml`: the node's configuration file, read with `deny_unknown_fields` and
//! validated into a [`Config`]. The CLI may override the HTTP address; library code never
//! reads arguments or the environment itself.
//!
//! [`TEMPLATE`] is the documented file `hcx init` writes; every key is explained there.

use std::net::SocketAddr;
use std::path::Path;

use hcx_protocol::identity::Region;
use serde::Deserialize;

/// Why a configuration is refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown or mistyped keys.
    #[error("{path} is not a valid hcx.toml: {message}")]
    Parse { path: String, message: String },
    /// A value is out of range.
    #[error("hcx.toml: {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}

/// The clock source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// The system clock.
    System,
    /// Time set through the admin route (loopback only).
    Manual,
}

/// The parsed file (see [`TEMPLATE`] for each key's meaning).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    region: String,
    #[serde(default)]
    http: HttpFile,
    #[serde(default)]
    clock: ClockFile,
    #[serde(default)]
    codes: CodesFile,
    #[serde(default)]
    rules: RulesFile,
    #[serde(default)]
    quorum: QuorumFile,
    #[serde(default)]
    store: StoreFile,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct HttpFile {
    listen: String,
    insecure: bool,
    body_limit_bytes: usize,
    request_timeout_secs: u64,
    rate_per_second: u32,
    rate_burst: u32,
}

impl Default for HttpFile {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            insecure: false,
            body_limit_bytes: 64 * 1024,
            request_timeout_secs: 10,
            rate_per_second: 200,
            rate_burst: 400,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ClockFile {
    mode: ClockMode,
    start: Option<u64>,
}

impl Default for ClockFile {
    fn default() -> Self {
        Self {
            mode: ClockMode::System,
            start: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CodesFile {
    lifetime_hours: u8,
    paper_lifetime_hours: u8,
    max_skew_secs: u64,
    snapshot_fresh_secs: u64,
}

impl Default for CodesFile {
    fn default() -> Self {
        Self {
            lifetime_hours: 24,
            paper_lifetime_hours: 168,
            max_skew_secs: 120,
            snapshot_fresh_secs: 3600,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RulesFile {
    active: String,
}

impl Default for RulesFile {
    fn default() -> Self {
        Self {
            active: "rules/active.toml".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct QuorumFile {
    approvals: u8,
    per_actor_per_hour: u32,
    per_jurisdiction_per_day: u32,
}

impl Default for QuorumFile {
    fn default() -> Self {
        Self {
            approvals: 2,
            per_actor_per_hour: 50,
            per_jurisdiction_per_day: 500,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct StoreFile {
    cache_mib: u64,
}

impl Default for StoreFile {
    fn default() -> Self {
        Self { cache_mib: 48 }
    }
}

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The region this node serves.
    pub region: Region,
    /// The HTTP listen address.
    pub listen: SocketAddr,
    /// Allow plain HTTP off loopback (behind a TLS-terminating reverse proxy).
    pub insecure: bool,
    /// The largest request body accepted.
    pub body_limit_bytes: usize,
    /// The request timeout.
    pub request_timeout_secs: u64,
    /// Per-token sustained request rate.
    pub rate_per_second: u32,
    /// Per-token burst.
    pub rate_burst: u32,
    /// The clock source.
    pub clock: ClockMode,
    /// The manual clock's start (Unix seconds); the system time when absent.
    pub clock_start: Option<u64>,
    /// Phone code lifetime.
    pub code_lifetime_hours: u8,
    /// Signed paper code lifetime.
    pub paper_lifetime_hours: u8,
    /// Clock skew tolerated when verifying.
    pub max_skew_secs: u64,
    /// How long a published status snapshot stays fresh.
    pub snapshot_fresh_secs: u64,
    /// The active rule set file, relative to the node folder.
    pub active_rules: String,
    /// Approvals a quorum needs (k).
    pub quorum_approvals: u8,
    /// Transcodes one actor may make per rolling hour before a quorum is needed.
    pub per_actor_per_hour: u32,
    /// Transcodes per jurisdiction per rolling day before a quorum is needed.
    pub per_jurisdiction_per_day: u32,
    /// The store's cache.
    pub cache_mib: u64,
}

impl Config {
    /// Reads and validates `DIR/hcx.toml`.
    ///
    /// # Errors
    /// A missing or unreadable file, bad TOML, unknown keys, or out-of-range values.
    pub fn load(dir: &Path) -> Result<Self, ConfigError> {
        let path = dir.join("hcx.toml");
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::parse(&text).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: shown,
                message,
            },
            other => other,
        })
    }

    /// Parses and validates a configuration text.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let f: File = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: "hcx.toml".into(),
            message: e.to_string(),
        })?;
        let invalid = |field, message: &str| ConfigError::Invalid {
            field,
            message: message.into(),
        };
        let region = Region::parse(&f.region)
            .map_err(|_| invalid("region", "not a province-level GB/T 2260 code"))?;
        let listen: SocketAddr = f
            .http
            .listen
            .parse()
            .map_err(|_| invalid("http.listen", "not an address such as 127.0.0.1:8080"))?;
        if !(1..=168).contains(&f.codes.lifetime_hours) {
            return Err(invalid("codes.lifetime_hours", "must be 1 to 168"));
        }
        if !(1..=168).contains(&f.codes.paper_lifetime_hours) {
            return Err(invalid("codes.paper_lifetime_hours", "must be 1 to 168"));
        }
        if f.quorum.approvals < 2 {
            return Err(invalid(
                "quorum.approvals",
                "a quorum needs at least 2 approvals",
            ));
        }
        if !(8..=1024).contains(&f.store.cache_mib) {
            return Err(invalid("store.cache_mib", "must be 8 to 1024"));
        }
        if f.http.body_limit_bytes < 1024 {
            return Err(invalid("http.body_limit_bytes", "must be at least 1024"));
        }
        let cfg = Self {
            region,
            listen,
            insecure: f.http.insecure,
            body_limit_bytes: f.http.body_limit_bytes,
            request_timeout_secs: f.http.request_timeout_secs.max(1),
            rate_per_second: f.http.rate_per_second.max(1),
            rate_burst: f.http.rate_burst.max(1),
            clock: f.clock.mode,
            clock_start: f.clock.start,
            code_lifetime_hours: f.codes.lifetime_hours,
            paper_lifetime_hours: f.codes.paper_lifetime_hours,
            max_skew_secs: f.codes.max_skew_secs,
            snapshot_fresh_secs: f.codes.snapshot_fresh_secs.max(60),
            active_rules: f.rules.active,
            quorum_approvals: f.quorum.approvals,
            per_actor_per_hour: f.quorum.per_actor_per_hour.max(1),
            per_jurisdiction_per_day: f.quorum.per_jurisdiction_per_day.max(1),
            cache_mib: f.store.cache_mib,
        };
        cfg.check_listen(cfg.listen)?;
        Ok(cfg)
    }

    /// Refuses a bind off loopback without `insecure` (TLS is terminated by a reverse
    /// proxy), and a manual clock off loopback in any case.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the rule.
    pub fn check_listen(&self, listen: SocketAddr) -> Result<(), ConfigError> {
        let loopback = listen.ip().is_loopback();
        if !loopback && self.clock == ClockMode::Manual {
            return Err(ConfigError::Invalid {
                field: "clock.mode",
                message: "a manual clock is refused off loopback".into(),
            });
        }
        if !loopback && !self.insecure {
            return Err(ConfigError::Invalid {
                field: "http.listen",
                message: "plain HTTP off loopback needs http.insecure = true (put a TLS \
                          reverse proxy in front) or --insecure"
                    .into(),
            });
        }
        Ok(())
    }
}

/// The documented `hcx.toml` that `hcx init` writes; `{region}` and `{rules}` are filled in.
pub const TEMPLATE: &str = r#"# hcx node configuration. Every key is optional except `region`.

# The province-level GB/T 2260 division code this node serves.
region = "{region}"

[http]
# Where the HTTP API listens. Off loopback, plain HTTP is refused unless `insecure = true`
# (then a TLS-terminating reverse proxy must stand in front). `hcx serve --http` overrides.
listen = "127.0.0.1:8080"
insecure = false
# The largest request body, in bytes, and the per-request timeout, in seconds.
body_limit_bytes = 65536
request_timeout_secs = 10
# Per-token rate limit: sustained requests per second and burst.
rate_per_second = 200
rate_burst = 400

[clock]
# "system", or "manual": time is set through POST /v1/admin/clock (loopback only;
# for tests and demos; the node logs a warning at start).
mode = "system"
# start = 1767225600   # manual clock start, Unix seconds (default: the system time)

[codes]
# Phone code lifetime and signed paper code lifetime, in hours (1-168).
lifetime_hours = 24
paper_lifetime_hours = 168
# Clock skew tolerated on issued-at when verifying, in seconds.
max_skew_secs = 120
# How long a status snapshot in an exported trust bundle stays fresh, in seconds.
snapshot_fresh_secs = 3600

[rules]
# The active colour rule set (TOML or JSON), relative to this folder.
active = "{rules}"

[quorum]
# Approvals (k) required for bulk transcodes, uploaded lists, rule-set and risk-area changes.
approvals = 2
# Transcodes past which a quorum is required: per actor per rolling hour, and per
# jurisdiction per rolling day. Every target counts, however the list is split.
per_actor_per_hour = 50
per_jurisdiction_per_day = 500

[store]
# sled page cache, in MiB (8-1024).
cache_mib = 48
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn template(region: &str) -> String {
        TEMPLATE
            .replace("{region}", region)
            .replace("{rules}", "rules/zhejiang.toml")
    }

    #[test]
    fn the_template_parses_with_defaults() {
        let c = Config::parse(&template("330000")).unwrap();
        assert_eq!(c.region.code(), 330000);
        assert_eq!(c.listen.port(), 8080);
        assert_eq!(c.code_lifetime_hours, 24);
        assert_eq!(c.clock, ClockMode::System);
    }

    #[test]
    fn bad_configs_are_refused_with_the_field_named() {
        assert!(matches!(
            Config::parse(&template("330100")),
            Err(ConfigError::Invalid {
                field: "region",
                ..
            })
        ));
        let unknown = format!("{}\n[extra]\nx = 1\n", template("330000"));
        assert!(matches!(
            Config::parse(&unknown),
            Err(ConfigError::Parse { .. })
        ));
        let open = template("330000").replace("127.0.0.1:8080", "0.0.0.0:8080");
        assert!(matches!(
            Config::parse(&open),
            Err(ConfigError::Invalid {
                field: "http.listen",
                ..
            })
        ));
        let manual_open = open
            .replace("insecure = false", "insecure = true")
            .replace("mode = \"system\"", "mode = \"manual\"");
        assert!(matches!(
            Config::parse(&manual_open),
            Err(ConfigError::Invalid {
                field: "clock.mode",
                ..
            })
        ));
    }
}
