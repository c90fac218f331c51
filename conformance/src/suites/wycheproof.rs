//! (being written)

use super::Suite;

/// The suites of this format.
pub fn suites() -> Vec<Suite> {
    Vec::new()
}
