//! `hcx serve` (being written).

use std::path::Path;

pub(crate) fn serve(
    _dir: &Path,
    _http: Option<std::net::SocketAddr>,
    _insecure: bool,
) -> anyhow::Result<()> {
    anyhow::bail!("hcx serve is being written")
}
