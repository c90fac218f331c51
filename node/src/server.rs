//! Running a node: build the router, serve until shutdown (with the maintenance task
//! beside it), then flush the store. `run` takes its listener and shutdown signal as arguments, so tests
//! start real nodes on `127.0.0.1:0`.

use std::future::Future;
use std::sync::Arc;

use crate::api::{self, Metrics};
use crate::handlers;
use crate::node::Node;

/// Serves `node` on `listener` until `shutdown` resolves; flushes the store afterwards.
///
/// # Errors
/// Listener I/O errors.
pub async fn run(
    node: Arc<Node>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let metrics = Arc::new(Metrics::new());
    let router = handlers::router(Arc::clone(&node), metrics);
    let addr = listener.local_addr()?;
    tracing::info!(%addr, region = node.config.region.code(), "hcx node serving");
    let upkeep = tokio::spawn(crate::maintenance::run(Arc::clone(&node)));
    let served = api::serve(listener, router, shutdown).await;
    upkeep.abort();
    served?;
    let store = Arc::clone(&node.store);
    let flushed =
        tokio::task::spawn_blocking(move || store.commit(crate::store::Batch::new())).await;
    if let Ok(Err(e)) = flushed {
        tracing::error!(error = %e, "final flush failed");
    }
    tracing::info!("hcx node stopped");
    Ok(())
}
