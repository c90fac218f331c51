//! Outcome counting: a [`Report`] per suite collects pass, fail and skip per case.

use std::fmt::Write as _;

/// The outcomes of one suite over every file it recognised.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Cases that behaved as the vector expects.
    pub passed: usize,
    /// Cases that did not, with the case name and why.
    pub failures: Vec<String>,
    /// Cases not run, with the case name and the reason.
    pub skips: Vec<String>,
    /// Files this suite consumed.
    pub files: usize,
    prefix: String,
}

impl Report {
    /// Sets the label (usually the file name) prefixed to failure and skip lines.
    pub fn set_context(&mut self, prefix: &str) {
        self.prefix = prefix.to_owned();
    }

    /// Records a passing case.
    pub fn pass(&mut self) {
        self.passed += 1;
    }

    /// Records a failing case.
    pub fn fail(&mut self, case: &str, why: impl std::fmt::Display) {
        let mut s = String::new();
        let _ = write!(s, "{}: {case}: {why}", self.prefix);
        self.failures.push(s);
    }

    /// Records a skipped case with its reason.
    pub fn skip(&mut self, case: &str, reason: impl std::fmt::Display) {
        let mut s = String::new();
        let _ = write!(s, "{}: {case}: {reason}", self.prefix);
        self.skips.push(s);
    }

    /// Records a pass if `ok`, otherwise a failure with `why`.
    pub fn check(&mut self, case: &str, ok: bool, why: impl std::fmt::Display) {
        if ok {
            self.pass();
        } else {
            self.fail(case, why);
        }
    }

    /// Adds another report's counts into this one.
    pub fn absorb(&mut self, other: Self) {
        self.passed += other.passed;
        self.failures.extend(other.failures);
        self.skips.extend(other.skips);
        self.files += other.files;
    }
}

/// Counts over all suites.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Cases passed.
    pub passed: usize,
    /// Cases failed, plus files that no suite recognised or could not be read.
    pub failed: usize,
    /// Cases skipped.
    pub skipped: usize,
}

impl std::fmt::Display for Totals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}
