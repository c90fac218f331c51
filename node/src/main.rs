//! The `hcx` binary. At this stage it only reports its version and says what is not yet
//! built; `hcx init`, `serve`, `up`, `verify` arrive with the node-core issue.

use clap::Parser;

/// hcx: a federated health-code exchange node.
#[derive(Debug, Parser)]
#[command(name = "hcx", version = hcx_node::VERSION)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    anyhow::bail!("the node is not built yet: only `hcx --version` works in this release")
}
