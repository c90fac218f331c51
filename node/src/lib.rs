//! # hcx-node
//!
//! The region node one provincial data bureau runs: store ([`store`], sled behind a
//! trait), personal-data vault ([`vault`]), audit log ([`audit`]), colour rules
//! ([`rules`]), accounts and roles ([`accounts`]), the two-party rule and quorum
//! ([`authz`]), issuance and evidence ([`issuance`]), the clock ([`clock`]), key files
//! ([`keys`]), configuration ([`config`]), the HTTP API ([`api`]) and the node that ties
//! them together ([`node`]). The wire format and all pure protocol logic come from
//! `hcx-protocol`; this crate owns every piece of I/O.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod authz;
pub mod clock;
pub mod config;
pub mod handlers;
pub mod init;
pub mod issuance;
pub mod keys;
pub mod maintenance;
pub mod node;
pub mod present;
pub mod render;
pub mod rules;
pub mod server;
pub mod store;
pub mod vault;

/// The version string reported by `hcx --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
