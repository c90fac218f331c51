//! The rule sets shipped with the node, embedded in the binary so `hcx init` can install
//! them without the repository. The files themselves live in `node/rules/`.
//!
//! Not here: loading rule sets from a node's directory or store.

use super::{RuleSet, RuleSetError};

/// A rule-set file shipped with the node, embedded in the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bundled {
    /// The file name (`zhejiang.toml`).
    pub file_name: &'static str,
    /// The document text.
    pub source: &'static str,
}

impl Bundled {
    /// Parses and validates the embedded document.
    ///
    /// # Errors
    /// Never for the shipped files (a test parses them); kept fallible.
    pub fn load(&self) -> Result<RuleSet, RuleSetError> {
        RuleSet::from_toml(self.source)
    }
}

/// The rule sets shipped with the node: Zhejiang and Fujian, as `hcx init` installs them.
pub fn bundled() -> &'static [Bundled] {
    const BUNDLED: &[Bundled] = &[
        Bundled {
            file_name: "zhejiang.toml",
            source: include_str!("../../rules/zhejiang.toml"),
        },
        Bundled {
            file_name: "fujian.toml",
            source: include_str!("../../rules/fujian.toml"),
        },
    ];
    BUNDLED
}
