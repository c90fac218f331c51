//! Evidence intake: an evidence-source account (a health, police, customs or transport
//! feed) submits a `Signed<EvidenceBody>` made with its own client-held key, about a
//! code it saw (by code-id hash). The node verifies the signature against the account's
//! registered key, resolves the code to its holder, and stores the evidence as pending:
//! it changes nobody's colour until an admin of another role transcodes with it (the
//! two-party rule, in [`super::status`]).

use hcx_protocol::sign::sha256;
use hcx_protocol::wire::{AreaLevel, EntryKind, EvidenceBody, LogEntry, Role, Signed, WireMessage};

use super::records::{
    CodeRecord, EvidenceRecord, code_hash_key, evidence_key, holder_evidence_key,
};
use super::{IssuanceError, read_json, to_json};
use crate::accounts::{self, Principal, PrincipalKind};
use crate::node::Node;
use crate::rules::Category;
use crate::store::{Batch, Tree};

impl Node {
    /// Accepts signed evidence from an evidence-source account. Submitting the same
    /// evidence again returns the stored record.
    ///
    /// # Errors
    /// A caller that is not an evidence source, a bad signature or encoding, an unknown
    /// code, an unknown level; store and audit failures.
    pub fn submit_evidence(
        &self,
        actor: &Principal,
        signed_bytes: &[u8],
        level: Option<&str>,
    ) -> Result<EvidenceRecord, IssuanceError> {
        let now = self.clock.now();
        if actor.kind != PrincipalKind::Staff(Role::EvidenceSource) {
            return Err(IssuanceError::Forbidden(
                "only evidence-source accounts submit evidence".into(),
            ));
        }
        let signed = Signed::<EvidenceBody>::from_bytes(signed_bytes).map_err(|e| {
            IssuanceError::Invalid {
                field: "evidence",
                message: e.to_string(),
            }
        })?;
        let account = accounts::load_account(self.store.as_ref(), &actor.account)?
            .ok_or(IssuanceError::NotFound { what: "account" })?;
        let key = account.public_key.as_ref().ok_or_else(|| {
            IssuanceError::Forbidden("the account has no registered signing key".into())
        })?;
        if account.kid().as_ref() != Some(&signed.signer) || signed.verify(key).is_err() {
            return Err(IssuanceError::Invalid {
                field: "evidence",
                message: "signature does not verify under the account's key".into(),
            });
        }
        if signed.body.time > now + self.config.max_skew_secs {
            return Err(IssuanceError::Invalid {
                field: "evidence",
                message: "dated in the future".into(),
            });
        }
        let category =
            Category::from_code(signed.body.category.code()).ok_or(IssuanceError::Invalid {
                field: "evidence",
                message: "unknown category".into(),
            })?;
        let level = match (category.has_level(), level) {
            (true, Some("medium")) => Some(AreaLevel::Medium),
            (true, Some("high")) => Some(AreaLevel::High),
            (true, _) => {
                return Err(IssuanceError::Invalid {
                    field: "level",
                    message: "risk_area_stay needs level medium or high".into(),
                });
            }
            (false, None) => None,
            (false, Some(_)) => {
                return Err(IssuanceError::Invalid {
                    field: "level",
                    message: "only risk_area_stay has a level".into(),
                });
            }
        };
        let code_id = self
            .store
            .get(
                Tree::Codes,
                &code_hash_key(&hex::encode(signed.body.subject.0)),
            )?
            .ok_or(IssuanceError::NotFound { what: "code" })?;
        let code: CodeRecord = self.code(&String::from_utf8_lossy(&code_id))?;

        let id = hex::encode(sha256(signed_bytes).get(..16).unwrap_or_default());
        if let Some(existing) = self.store.get(Tree::Evidence, &evidence_key(&id))? {
            return read_json(&existing);
        }
        let record = EvidenceRecord {
            id: id.clone(),
            holder: code.holder.clone(),
            category: category.name().to_owned(),
            at: signed.body.time,
            level: level.map(|l| crate::rules::vocab::area_name(l).to_owned()),
            source: actor.account.0.clone(),
            signed: hex::encode(signed_bytes),
            received_at: now,
            accepted_by: None,
            accepted_at: None,
        };
        let mut batch = Batch::new();
        batch.expect(Tree::Evidence, evidence_key(&id), None);
        batch.put(Tree::Evidence, evidence_key(&id), to_json(&record));
        batch.put(
            Tree::Evidence,
            holder_evidence_key(&code.holder, &id),
            Vec::new(),
        );
        let entry = LogEntry {
            kind: EntryKind::EvidenceReceived,
            time: now,
            actor: Some(Role::EvidenceSource),
            actor_kid: Some(signed.signer.clone()),
            jurisdiction: Some(actor.jurisdiction.clone()),
            message: None,
            code: Some(signed.body.subject),
            rule: None,
            commitment: Some(signed.body.commitment),
        };
        self.audit.commit(self.store.as_ref(), batch, &[entry])?;
        Ok(record)
    }

    /// The evidence record `id`.
    ///
    /// # Errors
    /// [`IssuanceError::NotFound`], store errors.
    pub fn evidence(&self, id: &str) -> Result<EvidenceRecord, IssuanceError> {
        let b = self
            .store
            .get(Tree::Evidence, &evidence_key(id))?
            .ok_or(IssuanceError::NotFound { what: "evidence" })?;
        read_json(&b)
    }

    /// Every evidence record of a holder.
    ///
    /// # Errors
    /// Store errors.
    pub fn evidence_of(&self, holder: &str) -> Result<Vec<EvidenceRecord>, IssuanceError> {
        let prefix = format!("h:{holder}:").into_bytes();
        let mut out = Vec::new();
        for (k, _) in self.store.scan(Tree::Evidence, &prefix, None, usize::MAX)? {
            let key = String::from_utf8_lossy(&k);
            if let Some(id) = key.rsplit(':').next() {
                out.push(self.evidence(id)?);
            }
        }
        Ok(out)
    }
}
