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

/// Why ES 401–403 are skipped.
const P384_UNDER_ES256: &str = "EU DCC ES 401-403: signed with a P-384 key (96-byte \
    signature) under COSE alg -7 (ES256), which requires P-256 and a 64-byte r||s; a strict \
    verifier rejects it although upstream says true (dgc-testdata issue #228)";

/// The skip-list. Filled from the shared DCC vectors' README ("Known upstream
/// disagreements") and FORMAT.md §4.7. The schema-validation entries listed there (BG 1–2,
/// RO 2, SK 3, LI 4, HU 3, NL) need no entry: `EXPECTEDSCHEMAVALIDATION` is never checked.
pub const SKIP_LIST: &[SkipEntry] = &[
    SkipEntry {
        file_sha256: "158be4ff7225cfb779acec241bf40a8881a89054c8b481f021d3fb6849bb4a7b",
        check: "EXPECTEDVERIFY",
        reason: P384_UNDER_ES256,
    },
    SkipEntry {
        file_sha256: "bb8459fdf1f24bc447a3f1293c7ab735353f94738c2e1ee1cc44e24b0d514324",
        check: "EXPECTEDVERIFY",
        reason: P384_UNDER_ES256,
    },
    SkipEntry {
        file_sha256: "17b0e9486f2a531d3c3f43f4e66c7a44d434718519c6b8791913cad1160ef446",
        check: "EXPECTEDVERIFY",
        reason: P384_UNDER_ES256,
    },
    SkipEntry {
        file_sha256: "bf6cfe665e26b2e32b7cb5b5c124427628f22b31fb857fb1e9c817e27445c8d0",
        check: "EXPECTEDKEYUSAGE",
        reason: "EU DCC IS 3: the certificate's EKU holds only a non-DCC OID; the hcert \
            spec makes a certificate without a DCC EKU valid for all types, so key usage \
            passes although upstream (its Python runner's stricter rule) says false",
    },
    SkipEntry {
        file_sha256: "8440615f994e99e52b5d8816f438b8bd759afc3e92a88a537b6e9645a9bc6598",
        check: "EXPECTEDEXPIRATIONCHECK",
        reason: "EU DCC PL/1.3.0 6: exp is 47 s after notAfter of the (deliberately wrong) \
            certificate in TESTCTX, so exp <= notAfter fails although upstream says true",
    },
    SkipEntry {
        file_sha256: "8cb5d3a93b56147bf823135787efe0f37a633dce9033e8b7008680182088d02c",
        check: "EXPECTEDVALIDJSON",
        reason: "EU DCC FR test_pcr_ok: the JSON field's sc/dr times are 2 h off from the \
            signed payload (dgc-testdata issue #141)",
    },
];

/// The reason `check` of the file with hash `sha256` is skipped, if it is.
pub fn reason_for(sha256: &str, check: &str) -> Option<&'static str> {
    SKIP_LIST
        .iter()
        .find(|e| e.file_sha256 == sha256 && e.check == check)
        .map(|e| e.reason)
}
