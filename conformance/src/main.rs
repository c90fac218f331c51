//! `hcx-conformance run [DIR...]`: runs every `*.json` vector file under each folder,
//! prints a line per suite, each skip with its reason, and last
//! `N passed, M failed, K skipped`. Exits non-zero on any failure or unrecognised file.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "hcx-conformance", version, about = "hcx conformance vectors")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Run every vector file under the folders (default: the shared vectors and hcx's own).
    Run {
        /// Folders to run; paths resolve from the current directory.
        dirs: Vec<PathBuf>,
        /// The shared vectors folder used when no folder is given (a relative path resolves
        /// from the repository root).
        #[arg(long, env = "HCX_VECTORS_DIR", default_value = "../shared/vectors")]
        vectors_dir: PathBuf,
        /// Print every failing case, not only the first 20 per suite.
        #[arg(long)]
        verbose: bool,
    },
    /// Write hcx's own vectors (deterministic) into OUT (normally conformance/vectors/hcx).
    GenerateHcxVectors {
        /// Output folder.
        out: PathBuf,
    },
}

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::GenerateHcxVectors { out } => {
            hcx_conformance::generate::generate_hcx_vectors(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Run {
            dirs,
            vectors_dir,
            verbose,
        } => {
            let dirs = if dirs.is_empty() {
                // With no folders named, both defaults resolve from the repository root,
                // so the run command works from any folder of the checkout.
                let root = repo_root();
                vec![root.join(vectors_dir), root.join("conformance/vectors/hcx")]
            } else {
                dirs
            };
            let outcome = hcx_conformance::run_dirs(&dirs)?;
            for (name, r) in &outcome.suites {
                println!(
                    "suite {name}: {} passed, {} failed, {} skipped ({} files)",
                    r.passed,
                    r.failures.len(),
                    r.skips.len(),
                    r.files
                );
                for s in &r.skips {
                    println!("  skip {s}");
                }
                let shown = if verbose { usize::MAX } else { 20 };
                for f in r.failures.iter().take(shown) {
                    println!("  FAIL {f}");
                }
                if r.failures.len() > shown {
                    println!(
                        "  ... {} more failures (--verbose)",
                        r.failures.len() - shown
                    );
                }
            }
            for u in &outcome.unrecognised {
                println!("FAIL {u}");
            }
            let totals = outcome.totals();
            println!("{totals}");
            Ok(if totals.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}

/// The repository root: the nearest folder, from the current one upwards, that holds
/// hcx's own vectors; failing that, the folder this binary was built from.
fn repo_root() -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    cwd.ancestors()
        .find(|d| d.join("conformance/vectors/hcx").is_dir())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let built_from = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            built_from.parent().map(PathBuf::from).unwrap_or(built_from)
        })
}
