//! The subcommands of the `hcx` binary. This is the binary's edge: errors are `anyhow`
//! with context, turned into one line on stderr by `main`.

mod bench;
mod init;
mod serve;
mod tools;
mod up;

pub(crate) use bench::{bench_issue, bench_verify};
pub(crate) use init::init;
pub(crate) use serve::serve;
pub(crate) use tools::{export_root, qr, remove_root, verify};
pub(crate) use up::up;
