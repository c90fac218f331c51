//! `hcx serve --dir DIR [--http ADDR] [--insecure]`: runs the node until Ctrl-C.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use hcx_node::config::Config;
use hcx_node::node::Node;

pub(crate) fn serve(dir: &Path, http: Option<SocketAddr>, insecure: bool) -> anyhow::Result<()> {
    let mut config = Config::load(dir)?;
    if let Some(addr) = http {
        config.listen = addr;
    }
    config.insecure |= insecure;
    config.check_listen(config.listen)?;
    let listen = config.listen;
    let node = Arc::new(
        Node::open(dir, config)
            .with_context(|| format!("opening the node in {}", dir.display()))?,
    );
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| {
                format!("cannot listen on {listen} (port in use, or not permitted)")
            })?;
        println!(
            "hcx node for region {} listening on http://{}",
            node.config.region.code(),
            listener.local_addr()?
        );
        hcx_node::server::run(node, listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving HTTP")
    })
}
