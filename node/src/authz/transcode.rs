//! Who may transcode where, and the two-party rule.
//!
//! [`may_transcode`]: admin levels 1–4 only (Guangxi art. 20), and only for targets
//! inside their jurisdiction prefix. [`check_evidence`]: a transcode needs evidence
//! (`Signed<EvidenceBody>`) signed with the registered key of an *active
//! evidence-source* account that is not the transcoder and does not share its role; the
//! signature is verified against the key in the account record (the key the roster
//! publishes), never against a key the request supplies.
//!
//! Not here: counting and quorum (`super::counters`, `super::quorum`), applying the
//! change (`crate::issuance`).

use hcx_protocol::wire::{CodeIdHash, EvidenceBody, Jurisdiction, Role, Signed};

use super::TranscodeError;
use crate::accounts::{Account, Principal, PrincipalKind, load_account_by_kid};
use crate::store::Store;

/// Whether `principal` may transcode a holder whose division code is `target`.
///
/// # Errors
/// [`TranscodeError::NotTranscoder`] or [`TranscodeError::OutsideJurisdiction`].
pub fn may_transcode(principal: &Principal, target: &Jurisdiction) -> Result<(), TranscodeError> {
    let ok_role = matches!(principal.kind, PrincipalKind::Staff(r) if r.may_transcode());
    if !ok_role {
        return Err(TranscodeError::NotTranscoder {
            kind: principal.kind,
        });
    }
    if !principal.jurisdiction.covers(target) {
        return Err(TranscodeError::OutsideJurisdiction {
            actor: principal.jurisdiction.as_str().to_owned(),
            target: target.as_str().to_owned(),
        });
    }
    Ok(())
}

/// Checks evidence for a transcode by `transcoder` of the code `subject` (`None`: the
/// caller matches subjects itself). Returns the evidence-source account.
///
/// # Errors
/// [`TranscodeError`]: unknown or inactive signer, not an evidence source, the
/// transcoder itself or its role, bad signature, wrong subject, dated after
/// `now + max_skew_secs`.
pub fn check_evidence(
    store: &dyn Store,
    transcoder: &Principal,
    evidence: &Signed<EvidenceBody>,
    subject: Option<&CodeIdHash>,
    now: u64,
    max_skew_secs: u64,
) -> Result<Account, TranscodeError> {
    let source =
        load_account_by_kid(store, &evidence.signer)?.ok_or(TranscodeError::UnknownSigner {
            kid: evidence.signer.clone(),
        })?;
    if source.id == transcoder.account {
        return Err(TranscodeError::SameAccount);
    }
    if source.kind == transcoder.kind {
        return Err(TranscodeError::SameRole);
    }
    if source.kind != PrincipalKind::Staff(Role::EvidenceSource) {
        return Err(TranscodeError::NotEvidenceSource { kind: source.kind });
    }
    if !source.is_active() {
        return Err(TranscodeError::SignerNotActive { account: source.id });
    }
    let key = source
        .public_key
        .as_ref()
        .ok_or(TranscodeError::BadSignature)?;
    evidence
        .verify(key)
        .map_err(|_| TranscodeError::BadSignature)?;
    if subject.is_some_and(|s| *s != evidence.body.subject) {
        return Err(TranscodeError::WrongSubject);
    }
    if evidence.body.time > now.saturating_add(max_skew_secs) {
        return Err(TranscodeError::FromFuture {
            time: evidence.body.time,
            now,
        });
    }
    Ok(source)
}
