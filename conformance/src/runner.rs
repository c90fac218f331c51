//! Discovery and dispatch: every `*.json` under the given folders is read, offered to
//! each suite's recogniser in turn, and run by the first that claims it. A `*.json` that
//! no suite claims, or that is not JSON, counts as a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::report::{Report, Totals};
use crate::suites;

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A folder to run does not exist.
    #[error(
        "vector folder {} does not exist (set HCX_VECTORS_DIR, or place the shared vectors \
         beside the checkout)",
        .0.display()
    )]
    MissingDir(PathBuf),
}

/// The outcome of a run: a report per suite (in name order), problems with files that
/// no suite could take, and the totals.
#[derive(Debug, Default)]
pub struct RunOutcome {
    /// Per-suite reports, keyed by suite name.
    pub suites: BTreeMap<&'static str, Report>,
    /// Files that could not be read, parsed or recognised, with why.
    pub unrecognised: Vec<String>,
}

impl RunOutcome {
    /// The totals line: unrecognised files count as failures.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for r in self.suites.values() {
            t.passed += r.passed;
            t.failed += r.failures.len();
            t.skipped += r.skips.len();
        }
        t.failed += self.unrecognised.len();
        t
    }
}

/// Every `*.json` file under `dir`, sorted, so runs are reproducible.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    out
}

/// Runs every vector file under `dirs`.
///
/// # Errors
/// If a folder does not exist.
pub fn run_dirs(dirs: &[PathBuf]) -> Result<RunOutcome, RunError> {
    let mut outcome = RunOutcome::default();
    for dir in dirs {
        if !dir.is_dir() {
            return Err(RunError::MissingDir(dir.clone()));
        }
        for path in json_files(dir) {
            run_file(&path, &mut outcome);
        }
    }
    Ok(outcome)
}

fn run_file(path: &Path, outcome: &mut RunOutcome) {
    let shown = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            outcome
                .unrecognised
                .push(format!("{shown}: unreadable: {e}"));
            return;
        }
    };
    // Tolerate a UTF-8 byte-order mark, as some upstream tools write one.
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    let doc: serde_json::Value = match serde_json::from_slice(body) {
        Ok(d) => d,
        Err(e) => {
            outcome.unrecognised.push(format!("{shown}: not JSON: {e}"));
            return;
        }
    };
    let ctx = suites::FileCtx {
        sha256: hex::encode(hcx_protocol::sign::sha256(&bytes)),
    };
    let all = suites::all();
    let Some(suite) = all.iter().find(|s| (s.recognise)(&doc)) else {
        outcome
            .unrecognised
            .push(format!("{shown}: no suite recognises this file's content"));
        return;
    };
    let mut report = Report::default();
    report.set_context(&shown);
    report.files = 1;
    (suite.run)(&doc, &ctx, &mut report);
    outcome.suites.entry(suite.name).or_default().absorb(report);
}
