//! `hcx init` (being written).

use std::path::Path;

pub(crate) fn init(_region: &str, _dir: &Path) -> anyhow::Result<()> {
    anyhow::bail!("hcx init is being written")
}
