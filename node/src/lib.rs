//! # hcx-node
//!
//! The region node: store (sled), rules engine, issuance, verification, federation
//! (libp2p), audit log and witnessing, HTTP API (axum) and the `hcx` CLI. All I/O of hcx
//! lives here; the wire format and all pure logic come from `hcx-protocol`.
//!
//! At this stage the crate holds only the CLI entry point; the node-core issue fills it.

/// The version string reported by `hcx --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
