//! Holder registration: validates the identity document, computes the holder binding
//! (masks and the Argon2id hash under a fresh per-holder salt, reused for every later
//! code), seals the real-name data in the vault, opens the holder's sign-in account, and
//! logs a registration entry (ids only). A dependant (elderly person, child) is
//! registered under a guardian holder, who then holds their codes.

use hcx_protocol::binding;
use hcx_protocol::identity::{self, Date, DocType};
use hcx_protocol::wire::{EntryKind, Jurisdiction, LogEntry};

use super::records::{HolderRecord, dependant_key, holder_key};
use super::{IssuanceError, random_id, read_json, to_json};
use crate::accounts::{self, Principal, PrincipalKind};
use crate::node::Node;
use crate::store::{Batch, Tree};

/// A registration request: the real-name data, which never leaves this node.
#[derive(Debug, Clone)]
pub struct RegisterRequest {
    /// Name as printed on the document.
    pub name: String,
    /// Document type.
    pub doc_type: DocType,
    /// Issuing country (passports; ignored for mainland documents).
    pub country: String,
    /// Document number.
    pub number: String,
    /// Phone number (optional; sealed with the rest).
    pub phone: Option<String>,
    /// The guardian holder id, for a dependant.
    pub guardian: Option<String>,
    /// The division code the holder lives in (defaults to the registering account's).
    pub jurisdiction: Option<String>,
}

/// The result of a registration: the record and the holder's sign-in token (shown once).
#[derive(Debug, Clone)]
pub struct Registered {
    /// The stored record.
    pub holder: HolderRecord,
    /// The holder's token; `None` for a dependant (the guardian signs in).
    pub token: Option<String>,
}

/// `doc/<HMAC>` in `Holders`: marks a document as registered. A plain hash of a
/// document number could be reversed by trying every number, so the key is an HMAC under
/// the node's index key (a key file outside the store).
fn document_index_key(digest: &[u8; 32]) -> Vec<u8> {
    [b"doc/".as_slice(), digest].concat()
}

impl Node {
    /// Registers a holder (by an access terminal, an admin, or a guardian holder for a
    /// dependant).
    ///
    /// # Errors
    /// An invalid document or field, an unknown guardian, a duplicate registration,
    /// store, vault and audit failures.
    pub fn register_holder(
        &self,
        actor: &Principal,
        req: RegisterRequest,
    ) -> Result<Registered, IssuanceError> {
        let now = self.clock.now();
        let today = Date::from_unix_seconds(now + crate::clock::SHANGHAI_OFFSET_SECS).ok_or(
            IssuanceError::Invalid {
                field: "clock",
                message: "out of range".into(),
            },
        )?;
        let name = req.name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(IssuanceError::Invalid {
                field: "name",
                message: "1 to 64 characters".into(),
            });
        }
        if let Some(phone) = &req.phone
            && (phone.len() > 20
                || !phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '+' || c == '-'))
        {
            return Err(IssuanceError::Invalid {
                field: "phone",
                message: "digits, + and - only".into(),
            });
        }
        let id = identity::validate(req.doc_type, &req.country, &req.number, today)?;
        let international = !matches!(
            req.doc_type,
            DocType::MainlandId | DocType::HkMacaoTaiwanResidencePermit
        );

        // Who may register whom: terminals and admins register anyone; a holder only a
        // dependant of their own.
        let guardian = match (&actor.kind, &req.guardian) {
            (PrincipalKind::Holder, Some(g)) => {
                let own = self.holder_for_account(&actor.account.0)?;
                if own.id != *g {
                    return Err(IssuanceError::Forbidden(
                        "a holder registers only their own dependants".into(),
                    ));
                }
                Some(g.clone())
            }
            (PrincipalKind::Holder, None) => {
                return Err(IssuanceError::Forbidden(
                    "holders register dependants only (guardian = self)".into(),
                ));
            }
            (PrincipalKind::Staff(_), g) => {
                if let Some(g) = g {
                    self.holder(g)?;
                }
                g.clone()
            }
        };
        let jurisdiction_text = req
            .jurisdiction
            .clone()
            .unwrap_or_else(|| actor.jurisdiction.as_str().to_owned());
        let jurisdiction = Jurisdiction::new(&jurisdiction_text)
            .filter(|j| actor.jurisdiction.covers(j) || matches!(actor.kind, PrincipalKind::Holder))
            .ok_or(IssuanceError::Invalid {
                field: "jurisdiction",
                message: "a division code inside the registering account's jurisdiction".into(),
            })?;

        // One registration per document: an index keyed by a hash the vault keys, so the
        // index itself reveals no document number.
        let doc_digest = self.index_digest(&binding::hash_input(&id));
        let doc_key = document_index_key(&doc_digest);
        if self.store.get(Tree::Holders, &doc_key)?.is_some() {
            return Err(IssuanceError::AlreadyRegistered);
        }

        let (holder_id, holder_id_bytes) = random_id(&self.rng)?;
        let (lineage, _) = random_id(&self.rng)?;
        let mut salt = [0u8; 16];
        ring::rand::SecureRandom::fill(&self.rng, &mut salt).map_err(|_| IssuanceError::Signing)?;
        let values = binding::bind(&id, name, &salt).map_err(|e| IssuanceError::Invalid {
            field: "binding",
            message: e.to_string(),
        })?;

        let mut batch = Batch::new();
        let (account, token) = if guardian.is_some() {
            (String::new(), None)
        } else {
            let opened = accounts::open_holder_account(
                self.store.as_ref(),
                jurisdiction.clone(),
                now,
                &self.rng,
            )?;
            batch.ops.extend(opened.batch.ops);
            batch.guards.extend(opened.batch.guards);
            (opened.account.id.0.clone(), Some(opened.token))
        };
        let record = HolderRecord {
            id: holder_id.clone(),
            doc_type: req.doc_type.code(),
            country: Some(id.country().to_owned()).filter(|c| !c.is_empty()),
            name_mask: values.name_mask,
            number_mask: values.number_mask,
            salt: hex::encode(values.salt),
            binding_hash: hex::encode(values.hash),
            lineage,
            jurisdiction: jurisdiction.as_str().to_owned(),
            guardian: guardian.clone(),
            account: account.clone(),
            created_at: now,
            international,
        };
        let personal = serde_json::json!({
            "name": name,
            "doc_type": req.doc_type.code(),
            "country": id.country(),
            "number": id.number(),
            "phone": req.phone,
        });
        let sealed =
            self.vault
                .seal_holder(&holder_id_bytes, b"hcx-holder-v1", &to_json(&personal))?;
        self.vault
            .stage_holder(self.store.as_ref(), &mut batch, &holder_id_bytes, &sealed)?;
        batch.expect(Tree::Holders, doc_key.clone(), None);
        batch.put(Tree::Holders, doc_key, holder_id.as_bytes().to_vec());
        batch.put(Tree::Holders, holder_key(&holder_id), to_json(&record));
        if !account.is_empty() {
            batch.put(
                Tree::Holders,
                account_key(&account),
                holder_id.as_bytes().to_vec(),
            );
        }
        if let Some(g) = &guardian {
            batch.put(Tree::Holders, dependant_key(g, &holder_id), Vec::new());
        }
        let entry = LogEntry {
            kind: EntryKind::Registration,
            time: now,
            actor: match actor.kind {
                PrincipalKind::Staff(r) => Some(r),
                PrincipalKind::Holder => None,
            },
            actor_kid: None,
            jurisdiction: Some(jurisdiction),
            message: None,
            code: None,
            rule: None,
            commitment: None,
        };
        self.audit.commit(self.store.as_ref(), batch, &[entry])?;
        tracing::info!(holder = %holder_id, dependant = guardian.is_some(), "holder registered");
        Ok(Registered {
            holder: record,
            token,
        })
    }

    /// The holder record `id`.
    ///
    /// # Errors
    /// [`IssuanceError::NotFound`], store errors.
    pub fn holder(&self, id: &str) -> Result<HolderRecord, IssuanceError> {
        let bytes = self
            .store
            .get(Tree::Holders, &holder_key(id))?
            .ok_or(IssuanceError::NotFound { what: "holder" })?;
        read_json(&bytes)
    }

    /// The holder record signed in as account `account`.
    ///
    /// # Errors
    /// [`IssuanceError::NotFound`], store errors.
    pub fn holder_for_account(&self, account: &str) -> Result<HolderRecord, IssuanceError> {
        let id = self
            .store
            .get(Tree::Holders, &account_key(account))?
            .ok_or(IssuanceError::NotFound { what: "holder" })?;
        self.holder(&String::from_utf8_lossy(&id))
    }
}

/// `a:<account>` in `Holders`: the holder signed in by an account.
fn account_key(account: &str) -> Vec<u8> {
    format!("a:{account}").into_bytes()
}

impl Node {
    /// Destroys a holder's personal data for good: the vault shreds their sealed
    /// record (retiring its epoch key, so sled's old segments hold nothing readable), the
    /// holder record, its document index and sign-in link are deleted, and their
    /// unexpired codes are revoked. A level-1 or level-2 admin covering the holder's
    /// jurisdiction may do it; the destruction is logged (ids only).
    ///
    /// # Errors
    /// An unknown holder, a caller who may not, vault, store and audit failures.
    pub fn destroy_holder(
        &self,
        actor: &Principal,
        id: &str,
    ) -> Result<crate::vault::ShredReport, IssuanceError> {
        let now = self.clock.now();
        let holder = self.holder(id)?;
        let j = Jurisdiction::new(&holder.jurisdiction)
            .ok_or_else(|| IssuanceError::Damaged("holder jurisdiction".into()))?;
        let allowed = matches!(
            actor.kind,
            PrincipalKind::Staff(hcx_protocol::wire::Role::Admin(1 | 2))
        ) && actor.jurisdiction.covers(&j);
        if !allowed {
            return Err(IssuanceError::Forbidden(
                "only a level-1 or level-2 admin of the holder's jurisdiction destroys holder data"
                    .into(),
            ));
        }
        let id_bytes: [u8; 16] = hex::decode(id)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(IssuanceError::NotFound { what: "holder" })?;
        let codes = self.codes_of(id)?;
        // The document index key is recomputed from the sealed record before it goes.
        let doc_key =
            match self
                .vault
                .read_holder(self.store.as_ref(), &id_bytes, b"hcx-holder-v1")?
            {
                Some(plain) => {
                    let v: serde_json::Value = read_json(&plain)?;
                    let doc_type = v["doc_type"].as_u64().and_then(DocType::from_code);
                    let number = v["number"].as_str().unwrap_or_default();
                    let country = v["country"].as_str().unwrap_or_default();
                    doc_type
                        .and_then(|t| identity::normalise(t, country, number).ok())
                        .map(|nid| {
                            document_index_key(&self.index_digest(&binding::hash_input(&nid)))
                        })
                }
                None => None,
            };
        let report = self.vault.shred_holder(self.store.as_ref(), &id_bytes)?;
        let mut batch = Batch::new();
        batch.delete(Tree::Holders, holder_key(id));
        if !holder.account.is_empty() {
            batch.delete(Tree::Holders, account_key(&holder.account));
        }
        if let Some(g) = &holder.guardian {
            batch.delete(Tree::Holders, dependant_key(g, id));
        }
        if let Some(k) = doc_key {
            batch.delete(Tree::Holders, k);
        }
        let entry = LogEntry {
            kind: EntryKind::Destruction,
            time: now,
            actor: match actor.kind {
                PrincipalKind::Staff(r) => Some(r),
                PrincipalKind::Holder => None,
            },
            actor_kid: None,
            jurisdiction: Some(j),
            message: None,
            code: None,
            rule: None,
            commitment: None,
        };
        self.audit.commit(self.store.as_ref(), batch, &[entry])?;
        self.with_status_index(|s| {
            for c in codes.iter().filter(|c| c.expires_at > now) {
                if let Ok(bytes) = hex::decode(&c.code_id)
                    && let Ok(b) = <[u8; 16]>::try_from(bytes)
                {
                    s.revoked.insert(hcx_protocol::wire::CodeId(b).hash());
                }
            }
        });
        tracing::info!(holder = %id, epochs = ?report.destroyed, "holder data destroyed");
        Ok(report)
    }
}
