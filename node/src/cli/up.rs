//! `hcx up` (being written).

pub(crate) fn up(_region: &str, _http: std::net::SocketAddr) -> anyhow::Result<()> {
    anyhow::bail!("hcx up is being written")
}
