//! The `hcx` binary: parses the command line (every flag also has an `HCX_…` environment
//! variable), installs the tracing subscriber, and hands over to `hcx_node::commands`.
//! This is the only place `anyhow` is used.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
mod cli;

use cli as commands;

/// hcx: a federated health-code exchange node.
#[derive(Debug, Parser)]
#[command(name = "hcx", version = hcx_node::VERSION, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Make a new region in DIR: keys (0600), a documented hcx.toml, rule sets, the first
    /// level-1 admin account.
    Init {
        /// The province-level GB/T 2260 code of the region, e.g. 330000.
        #[arg(long, env = "HCX_REGION")]
        region: String,
        /// The node folder to create (must not exist or be empty).
        #[arg(long, env = "HCX_DIR")]
        dir: PathBuf,
    },
    /// Run the node in DIR.
    Serve {
        /// The node folder made by `hcx init`.
        #[arg(long, env = "HCX_DIR")]
        dir: PathBuf,
        /// HTTP listen address (overrides hcx.toml).
        #[arg(long, env = "HCX_HTTP")]
        http: Option<SocketAddr>,
        /// Allow plain HTTP off loopback (behind a TLS-terminating reverse proxy).
        #[arg(long, env = "HCX_INSECURE")]
        insecure: bool,
    },
    /// Start a ready demo region in a temporary folder and print a walkthrough.
    Up {
        /// The region to start.
        #[arg(long, env = "HCX_REGION", default_value = "330000")]
        region: String,
        /// HTTP listen address (default: an ephemeral port on loopback).
        #[arg(long, env = "HCX_HTTP", default_value = "127.0.0.1:0")]
        http: SocketAddr,
        /// Run every walkthrough line itself, check the answers, and exit.
        #[arg(long, env = "HCX_UP_CHECK")]
        check: bool,
    },
    /// Render a QR text as an image.
    Qr {
        /// The text (e.g. an `HCX1:` holder code).
        text: String,
        /// Write an SVG file.
        #[arg(long, env = "HCX_QR_SVG", conflicts_with = "png")]
        svg: Option<PathBuf>,
        /// Write a PNG file.
        #[arg(long, env = "HCX_QR_PNG")]
        png: Option<PathBuf>,
    },
    /// Verify a holder code offline against a trust bundle file.
    Verify {
        /// The trust bundle (the bytes `GET /v1/trust-bundle` returns).
        #[arg(long, env = "HCX_BUNDLE")]
        bundle: PathBuf,
        /// The operational public key (hex) the bundle must be signed by.
        #[arg(long, env = "HCX_ANCHOR")]
        anchor: String,
        /// Verify as of this Unix time instead of now.
        #[arg(long, env = "HCX_AT")]
        at: Option<u64>,
        /// The holder code text.
        text: String,
    },
    /// Key ceremony: export the root key to offline media, then remove it from DIR.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Benchmarks (run with a release build).
    #[command(subcommand)]
    Bench(BenchCmd),
}

#[derive(Debug, Subcommand)]
enum BenchCmd {
    /// Durable issuance throughput through the issuance service.
    Issue {
        /// Codes to issue.
        #[arg(long, env = "HCX_BENCH_CODES", default_value_t = 20_000)]
        codes: usize,
        /// Holders to issue them for.
        #[arg(long, env = "HCX_BENCH_HOLDERS", default_value_t = 200)]
        holders: usize,
        /// Issuing threads.
        #[arg(long, env = "HCX_BENCH_THREADS", default_value_t = 8)]
        threads: usize,
    },
    /// Online verification over HTTP on loopback, load from Debian's `wrk`.
    Verify {
        /// Terminal accounts (tokens) the load cycles through.
        #[arg(long, env = "HCX_BENCH_TERMINALS", default_value_t = 256)]
        terminals: usize,
        /// Seconds of load.
        #[arg(long, env = "HCX_BENCH_SECONDS", default_value_t = 10)]
        seconds: u64,
        /// Open connections.
        #[arg(long, env = "HCX_BENCH_CONNECTIONS", default_value_t = 64)]
        connections: usize,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCmd {
    /// Copy the root key file to OUT (created 0600, never overwritten).
    ExportRoot {
        /// The node folder.
        #[arg(long, env = "HCX_DIR")]
        dir: PathBuf,
        /// Where to write the copy.
        #[arg(long, env = "HCX_OUT")]
        out: PathBuf,
    },
    /// Delete the root key from DIR (after exporting it).
    RemoveRoot {
        /// The node folder.
        #[arg(long, env = "HCX_DIR")]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HCX_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.cmd {
        Cmd::Init { region, dir } => commands::init(&region, &dir)?,
        Cmd::Serve {
            dir,
            http,
            insecure,
        } => commands::serve(&dir, http, insecure)?,
        Cmd::Up {
            region,
            http,
            check,
        } => commands::up(&region, http, check)?,
        Cmd::Qr { text, svg, png } => commands::qr(&text, svg.as_deref(), png.as_deref())?,
        Cmd::Verify {
            bundle,
            anchor,
            at,
            text,
        } => {
            return Ok(if commands::verify(&bundle, &anchor, at, &text)? {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            });
        }
        Cmd::Keys(KeysCmd::ExportRoot { dir, out }) => commands::export_root(&dir, &out)?,
        Cmd::Keys(KeysCmd::RemoveRoot { dir }) => commands::remove_root(&dir)?,
        Cmd::Bench(BenchCmd::Issue {
            codes,
            holders,
            threads,
        }) => commands::bench_issue(codes, holders, threads)?,
        Cmd::Bench(BenchCmd::Verify {
            terminals,
            seconds,
            connections,
        }) => {
            commands::bench_verify(terminals, seconds, connections)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
