//! Code issuance: a signed `HCX1:` code for a holder (self), for a dependant under the
//! guardian's delegation, or by staff for a holder in their jurisdiction; the colour and
//! risk level come from the rules over the holder's accepted evidence at this moment.
//! Refresh is issuing again: each code has a new random id; the lineage keeps the history.

use hcx_protocol::qr;
use hcx_protocol::sign::sha256;
use hcx_protocol::wire::{
    CodeClaims, CodeId, CodeKind, DELEGATION_REF_LEN, EntryKind, HolderBinding, Jurisdiction,
    LogEntry, sign_cose,
};

use super::records::{CodeRecord, HolderRecord, code_hash_key, code_key, holder_code_key};
use super::{IssuanceError, random_id, read_json, to_json};
use crate::accounts::{Principal, PrincipalKind};
use crate::node::Node;
use crate::present;
use crate::store::{Batch, Tree};

/// A code request.
#[derive(Debug, Clone, Default)]
pub struct IssueRequest {
    /// The holder (a dependant for a guardian; any holder in jurisdiction for staff);
    /// `None`: the calling holder.
    pub holder: Option<String>,
    /// A signed paper code (long lifetime) instead of a phone code.
    pub paper: bool,
}

/// The 4-byte delegation reference a dependant's code carries: it names the guardian
/// relation without naming the guardian.
fn delegation_ref(guardian: &str, dependant: &str) -> [u8; DELEGATION_REF_LEN] {
    let d = sha256(format!("hcx-delegation-v1:{guardian}:{dependant}").as_bytes());
    let mut r = [0u8; DELEGATION_REF_LEN];
    r.copy_from_slice(
        d.get(..DELEGATION_REF_LEN)
            .unwrap_or(&[0; DELEGATION_REF_LEN]),
    );
    r
}

impl Node {
    /// Issues a code.
    ///
    /// # Errors
    /// An unknown holder; a caller who may not hold this holder's codes; store, audit
    /// and signing failures.
    pub fn issue_code(
        &self,
        actor: &Principal,
        req: &IssueRequest,
    ) -> Result<CodeRecord, IssuanceError> {
        let now = self.clock.now();
        let (holder, delegated_by) = self.resolve_holder(actor, req.holder.as_deref())?;
        let rules = self.rules();
        let mut batch = Batch::new();
        let assessment = self.assess_and_record(&holder, &rules, now, &mut batch)?;

        let (code_hex, code_bytes) = random_id(&self.rng)?;
        let code_id = CodeId(code_bytes);
        let kind = if req.paper {
            CodeKind::Paper
        } else if holder.international {
            CodeKind::International
        } else {
            CodeKind::Resident
        };
        let hours = if req.paper {
            self.config.paper_lifetime_hours
        } else {
            self.config.code_lifetime_hours
        };
        let binding = HolderBinding {
            doc_type: hcx_protocol::identity::DocType::from_code(holder.doc_type)
                .ok_or_else(|| IssuanceError::Damaged("holder document type".into()))?,
            name_mask: holder.name_mask.clone(),
            number_mask: holder.number_mask.clone(),
            salt: decode16(&holder.salt)?,
            hash: decode16(&holder.binding_hash)?,
            country: holder.country.clone().filter(|_| holder.doc_type == 2),
        };
        let delegation = holder
            .guardian
            .as_deref()
            .map(|g| delegation_ref(g, &holder.id));
        let claims = CodeClaims::new(
            code_id,
            self.config.region,
            assessment.colour,
            assessment.risk,
            rules.rule_ref(),
            now,
            hours,
            kind,
            binding,
            delegation,
        );
        let cose = sign_cose(&claims, &self.keys.code_signing.signer, self.code_kid())
            .map_err(|_| IssuanceError::Signing)?;
        let text = qr::encode_hcx(&cose).map_err(|e| IssuanceError::Invalid {
            field: "code",
            message: e.to_string(),
        })?;
        let hash = code_id.hash();
        let record = CodeRecord {
            code_id: code_hex.clone(),
            holder: holder.id.clone(),
            issued_at: now,
            expires_at: now + u64::from(hours) * 3600,
            colour: assessment.colour.0,
            colour_name: assessment.colour_name.clone(),
            risk: present::risk(assessment.risk).to_owned(),
            rule: format!("{}@{}", hex::encode(rules.id().hash), rules.id().version),
            kind: present::kind(kind).to_owned(),
            text,
            requested_by: delegated_by.clone(),
        };
        batch.put(Tree::Codes, code_key(&code_hex), to_json(&record));
        batch.put(
            Tree::Codes,
            code_hash_key(&hex::encode(hash.0)),
            code_hex.as_bytes().to_vec(),
        );
        batch.put(
            Tree::Codes,
            holder_code_key(&holder.id, now, &code_hex),
            Vec::new(),
        );

        let jurisdiction = Jurisdiction::new(&holder.jurisdiction);
        let actor_role = match actor.kind {
            PrincipalKind::Staff(r) => Some(r),
            PrincipalKind::Holder => None,
        };
        let mut entries = vec![LogEntry {
            kind: EntryKind::Issuance,
            time: now,
            actor: actor_role,
            actor_kid: None,
            jurisdiction: jurisdiction.clone(),
            message: None,
            code: Some(hash),
            rule: Some(rules.id()),
            commitment: None,
        }];
        if delegated_by.is_some() {
            entries.push(LogEntry {
                kind: EntryKind::DelegationUse,
                time: now,
                actor: None,
                actor_kid: None,
                jurisdiction,
                message: None,
                code: Some(hash),
                rule: None,
                commitment: None,
            });
        }
        self.audit.commit(self.store.as_ref(), batch, &entries)?;
        if !assessment.is_green() {
            self.with_status_index(|s| s.non_green.insert(hash));
        }
        Ok(record)
    }

    /// The holder a caller asks a code for, and the guardian account when delegated.
    fn resolve_holder(
        &self,
        actor: &Principal,
        requested: Option<&str>,
    ) -> Result<(HolderRecord, Option<String>), IssuanceError> {
        match (actor.kind, requested) {
            (PrincipalKind::Holder, None) => Ok((self.holder_for_account(&actor.account.0)?, None)),
            (PrincipalKind::Holder, Some(id)) => {
                let own = self.holder_for_account(&actor.account.0)?;
                let dependant = self.holder(id)?;
                if dependant.guardian.as_deref() != Some(own.id.as_str()) {
                    return Err(IssuanceError::Forbidden(
                        "not a dependant of this holder".into(),
                    ));
                }
                Ok((dependant, Some(actor.account.0.clone())))
            }
            (PrincipalKind::Staff(role), Some(id)) => {
                let holder = self.holder(id)?;
                let inside = Jurisdiction::new(&holder.jurisdiction)
                    .is_some_and(|j| actor.jurisdiction.covers(&j));
                let may_issue = matches!(
                    role,
                    hcx_protocol::wire::Role::Admin(_)
                        | hcx_protocol::wire::Role::Terminal
                        | hcx_protocol::wire::Role::Grid
                );
                if !(inside && may_issue) {
                    return Err(IssuanceError::Forbidden(
                        "outside the account's jurisdiction or role".into(),
                    ));
                }
                Ok((holder, None))
            }
            (PrincipalKind::Staff(_), None) => Err(IssuanceError::Invalid {
                field: "holder",
                message: "staff must name the holder".into(),
            }),
        }
    }

    /// The code record `code_id` (hex).
    ///
    /// # Errors
    /// [`IssuanceError::NotFound`], store errors.
    pub fn code(&self, code_id: &str) -> Result<CodeRecord, IssuanceError> {
        let b = self
            .store
            .get(Tree::Codes, &code_key(code_id))?
            .ok_or(IssuanceError::NotFound { what: "code" })?;
        read_json(&b)
    }

    /// The holder's codes, oldest first.
    ///
    /// # Errors
    /// Store errors.
    pub fn codes_of(&self, holder: &str) -> Result<Vec<CodeRecord>, IssuanceError> {
        let prefix = format!("h:{holder}:").into_bytes();
        let mut out = Vec::new();
        for (k, _) in self.store.scan(Tree::Codes, &prefix, None, usize::MAX)? {
            let key = String::from_utf8_lossy(&k);
            if let Some(code_id) = key.rsplit(':').next() {
                out.push(self.code(code_id)?);
            }
        }
        Ok(out)
    }
}

fn decode16(h: &str) -> Result<[u8; 16], IssuanceError> {
    hex::decode(h)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| IssuanceError::Damaged("binding bytes".into()))
}
