//! One module per vector format. Each offers [`Suite`]s: a recogniser that looks only at
//! a file's content, and a runner that feeds every case through `hcx-protocol`.
//!
//! Recognisers must be exact enough that no file is claimed by two suites; the order
//! of [`all`] is the order they are asked in.

use serde_json::Value;

use crate::report::Report;

pub mod base45;
pub mod cbor;
pub mod checkpoint;
pub mod cose;
pub mod cosignature;
pub mod dcc;
pub mod ed25519;
pub mod hcx;
pub mod merkle;
pub mod note;
pub mod tiles;
pub mod witness;
pub mod wycheproof;

/// What a suite knows about the file it runs, beyond its content.
#[derive(Debug, Clone)]
pub struct FileCtx {
    /// Lower-case hex SHA-256 of the file's bytes (the skip-list key).
    pub sha256: String,
}

impl FileCtx {
    /// The skip-list reason for `check` of this file, if any.
    pub fn skip_reason(&self, check: &str) -> Option<&'static str> {
        crate::skiplist::reason_for(&self.sha256, check)
    }
}

/// One vector format.
#[derive(Debug, Clone, Copy)]
pub struct Suite {
    /// The name printed in the per-suite line.
    pub name: &'static str,
    /// Whether a parsed JSON document is in this format (content only, never the path).
    pub recognise: fn(&Value) -> bool,
    /// Runs every case of the document into the report.
    pub run: fn(&Value, &FileCtx, &mut Report),
}

/// Every suite, in the order recognisers are tried.
pub fn all() -> Vec<Suite> {
    [
        cbor::suites(),
        base45::suites(),
        ed25519::suites(),
        wycheproof::suites(),
        cose::suites(),
        dcc::suites(),
        merkle::suites(),
        note::suites(),
        checkpoint::suites(),
        cosignature::suites(),
        witness::suites(),
        tiles::suites(),
        hcx::suites(),
    ]
    .concat()
}
