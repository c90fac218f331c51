//! Upstream expectations known to be wrong. Each entry names a vector file by the SHA-256
//! of its bytes (so renaming or moving it changes nothing), the check it concerns, and
//! the reason, which the runner prints with every skip.

/// One known-wrong upstream expectation.
#[derive(Debug, Clone, Copy)]
pub struct SkipEntry {
    /// Lower-case hex SHA-256 of the vector file.
    pub file_sha256: &'static str,
    /// The check (for EU DCC files, the `EXPECTED…` flag) the entry covers.
    pub check: &'static str,
    /// Why the upstream expectation is wrong, with the upstream reference.
    pub reason: &'static str,
}

/// The skip-list. Filled from `vectors/dcc/README.md` ("Known upstream disagreements").
pub const SKIP_LIST: &[SkipEntry] = &[];

/// The reason `check` of the file with hash `sha256` is skipped, if it is.
pub fn reason_for(sha256: &str, check: &str) -> Option<&'static str> {
    SKIP_LIST
        .iter()
        .find(|e| e.file_sha256 == sha256 && e.check == check)
        .map(|e| e.reason)
}
