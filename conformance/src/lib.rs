//! # hcx-conformance
//!
//! Runs conformance vectors through `hcx-protocol`: the external ones beside the checkout
//! (RFC, COSE WG, Wycheproof, C2SP/transparency-dev, EU DCC) and hcx's own in
//! `conformance/vectors/hcx/`. Files are recognised by their content, never by name or
//! folder, so renamed or moved files and further files in the same formats run the same.
//!
//! Layout: [`runner`] discovers files and dispatches them; [`report`] counts outcomes;
//! [`skiplist`] holds upstream expectations known to be wrong, keyed by file SHA-256;
//! [`suites`] holds one module per vector format.

pub mod generate;
pub mod report;
pub mod runner;
pub mod skiplist;
pub mod suites;
pub mod util;

pub use report::{Report, Totals};
pub use runner::{RunError, run_dirs};
