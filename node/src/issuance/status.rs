//! Status: what colour a holder has and why. A holder's colour is always the active rule
//! set applied to the evidence an admin accepted for them ([`Node::assess_and_record`]);
//! every change (by a transcode, or by time under the rules) appends a [`StatusRecord`]
//! naming the reason category, the rule id@version, the evidence and the acting role,
//! and every transcode is an audit entry with a salted commitment to those details.
//!
//! Transcoding ([`Node::transcode`]) enforces, in order: the role and jurisdiction of the
//! transcoder; the two-party rule (each piece of evidence signed by an evidence-source
//! account other than, and of another role than, the transcoder); the rolling-window
//! counters per actor and per jurisdiction (every target counts, however a list is
//! split); and, past a threshold or for an uploaded list, a quorum of signed approvals
//! from admins who cover every target and are outside the requester's creation subtree.
//! A quorum request is stored as a proposal and answered with the action hash to sign;
//! an alarm entry goes to the log.

use hcx_protocol::sign::sha256;
use hcx_protocol::wire::{
    ApprovalBody, Commitment, Digest, EntryKind, EvidenceBody, Jurisdiction, LogEntry, Role,
    Signed, WireMessage,
};
use serde::Serialize;

use super::records::{
    CodeRecord, EvidenceRecord, HolderRecord, StatusRecord, evidence_key, status_key,
};
use super::{IssuanceError, read_json, to_json};
use crate::accounts::{self, Principal, PrincipalKind};
use crate::authz::{
    self, ActionKind, AuthzConfig, QuorumAction, QuorumError, QuorumNeed, WindowLimit,
};
use crate::node::Node;
use crate::present;
use crate::rules::{Assessment, Category, Fact, RuleSet};
use crate::store::{Batch, StoreError, Tree};

/// One holder to transcode, with the evidence ids that justify it.
#[derive(Debug, Clone, Serialize)]
pub struct TranscodeTarget {
    /// Holder id.
    pub holder: String,
    /// Evidence ids (received from evidence-source accounts).
    pub evidence: Vec<String>,
}

/// A transcode request.
#[derive(Debug, Clone, Default)]
pub struct TranscodeRequest {
    /// The holders and their evidence.
    pub targets: Vec<TranscodeTarget>,
    /// Whether the targets come from an uploaded list (always needs a quorum).
    pub uploaded_list: bool,
    /// The proposal this request completes (its action hash), when approvals are given.
    pub action: Option<Digest>,
    /// Signed approvals (`Signed<ApprovalBody>` canonical bytes).
    pub approvals: Vec<Vec<u8>>,
}

/// The result of a transcode: each holder's new status.
#[derive(Debug, Clone)]
pub struct TranscodeOutcome {
    /// (holder id, new status record).
    pub statuses: Vec<(String, StatusRecord)>,
    /// Whether a quorum certificate was attached.
    pub quorum: bool,
}

/// `n:<lineage>` in `StatusLog`: the next sequence number.
fn next_seq_key(lineage: &str) -> Vec<u8> {
    format!("n:{lineage}").into_bytes()
}

impl Node {
    /// The authorisation settings from the configuration.
    pub fn authz_config(&self) -> AuthzConfig {
        AuthzConfig {
            k: u64::from(self.config.quorum_approvals),
            max_skew_secs: self.config.max_skew_secs.max(60),
            windows: vec![
                WindowLimit {
                    secs: 3600,
                    per_actor: u64::from(self.config.per_actor_per_hour),
                    per_jurisdiction: u64::from(self.config.per_jurisdiction_per_day),
                },
                WindowLimit {
                    secs: 86_400,
                    per_actor: u64::from(self.config.per_actor_per_hour) * 4,
                    per_jurisdiction: u64::from(self.config.per_jurisdiction_per_day),
                },
            ],
            ..AuthzConfig::default()
        }
    }

    /// The facts an admin accepted for `holder`.
    ///
    /// # Errors
    /// Store errors, damaged records.
    pub fn accepted_facts(&self, holder: &str) -> Result<Vec<Fact>, IssuanceError> {
        let mut facts = Vec::new();
        for e in self.evidence_of(holder)? {
            if e.accepted_at.is_some() {
                facts.push(fact_of(&e)?);
            }
        }
        Ok(facts)
    }

    /// The holder's status history, oldest first.
    ///
    /// # Errors
    /// Store errors, damaged records.
    pub fn status_history(
        &self,
        holder: &HolderRecord,
    ) -> Result<Vec<StatusRecord>, IssuanceError> {
        let prefix = format!("{}:", holder.lineage).into_bytes();
        self.store
            .scan(Tree::StatusLog, &prefix, None, usize::MAX)?
            .iter()
            .map(|(_, v)| read_json(v))
            .collect()
    }

    fn latest_status(
        &self,
        holder: &HolderRecord,
    ) -> Result<(u64, Option<StatusRecord>), IssuanceError> {
        let next = self
            .store
            .get(Tree::StatusLog, &next_seq_key(&holder.lineage))?
            .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            .map_or(0, u64::from_be_bytes);
        if next == 0 {
            return Ok((0, None));
        }
        let last = self
            .store
            .get(Tree::StatusLog, &status_key(&holder.lineage, next - 1))?;
        Ok((next, last.map(|b| read_json(&b)).transpose()?))
    }

    /// Assesses `holder` now; if the result differs from the last recorded status (time
    /// passed under the rules), stages a status record by `rules` into `batch`.
    ///
    /// # Errors
    /// Store errors, damaged records.
    pub fn assess_and_record(
        &self,
        holder: &HolderRecord,
        rules: &RuleSet,
        now: u64,
        batch: &mut Batch,
    ) -> Result<Assessment, IssuanceError> {
        let facts = self.accepted_facts(&holder.id)?;
        let a = rules.assess(&facts, now);
        let (next, last) = self.latest_status(holder)?;
        let changed = last
            .as_ref()
            .is_none_or(|l| l.colour != a.colour.0 || l.rule_id != a.rule_id);
        if changed && (last.is_some() || !a.is_green()) {
            let record = status_record(
                next,
                now,
                &a,
                rules,
                "rules",
                "rules",
                &holder.jurisdiction,
                None,
            );
            stage_status(batch, holder, next, &record);
        }
        Ok(a)
    }

    /// Transcodes holders on evidence (see the module documentation for the checks).
    ///
    /// # Errors
    /// [`IssuanceError::Transcode`] (role, jurisdiction, two-party rule),
    /// [`IssuanceError::Quorum`] (a quorum is required: carries the action to approve;
    /// or the approvals are invalid), unknown holders or evidence, store failures.
    pub fn transcode(
        &self,
        actor: &Principal,
        req: TranscodeRequest,
    ) -> Result<TranscodeOutcome, IssuanceError> {
        let now = self.clock.now();
        if req.targets.is_empty() || req.targets.len() > 5_000 {
            return Err(IssuanceError::Invalid {
                field: "targets",
                message: "1 to 5000 targets".into(),
            });
        }
        let cfg = self.authz_config();
        let rules = self.rules();
        let actor_account = accounts::load_account(self.store.as_ref(), &actor.account)?
            .ok_or(IssuanceError::NotFound { what: "account" })?;

        // Role, jurisdiction and the two-party rule, per target and per piece of evidence.
        let mut holders = Vec::with_capacity(req.targets.len());
        let mut target_jurisdictions = Vec::with_capacity(req.targets.len());
        for t in &req.targets {
            let holder = self.holder(&t.holder)?;
            let j = Jurisdiction::new(&holder.jurisdiction)
                .ok_or_else(|| IssuanceError::Damaged("holder jurisdiction".into()))?;
            authz::may_transcode(actor, &j)?;
            if t.evidence.is_empty() {
                return Err(IssuanceError::Invalid { field: "evidence", message: "a transcode needs evidence from an evidence-source account (two-party rule)".into() });
            }
            let mut evidence = Vec::with_capacity(t.evidence.len());
            for id in &t.evidence {
                let e = self.evidence(id)?;
                if e.holder != holder.id {
                    return Err(IssuanceError::Invalid {
                        field: "evidence",
                        message: format!("{id} is not about holder {}", holder.id),
                    });
                }
                let bytes = hex::decode(&e.signed)
                    .map_err(|_| IssuanceError::Damaged("evidence bytes".into()))?;
                let signed = Signed::<EvidenceBody>::from_bytes(&bytes)
                    .map_err(|err| IssuanceError::Damaged(err.to_string()))?;
                authz::check_evidence(
                    self.store.as_ref(),
                    actor,
                    &signed,
                    None,
                    now,
                    cfg.max_skew_secs,
                )?;
                evidence.push(e);
            }
            target_jurisdictions.push(j);
            holders.push((holder, evidence));
        }

        // Counters and quorum.
        let payload = Digest(sha256(&to_json(&req.targets)));
        let action = match req.action {
            Some(h) => {
                let p = authz::load_proposal(self.store.as_ref(), &h)?
                    .ok_or(IssuanceError::Quorum(QuorumError::UnknownAction))?;
                if p.payload != payload || p.requester != actor.account {
                    return Err(IssuanceError::Invalid {
                        field: "action",
                        message: "the approved action is another request".into(),
                    });
                }
                p
            }
            None => QuorumAction {
                kind: if req.uploaded_list {
                    ActionKind::UploadedList
                } else {
                    ActionKind::Transcode
                },
                requester: actor.account.clone(),
                targets: target_jurisdictions.clone(),
                payload,
                created_at: now,
            },
        };
        let counts = authz::read_counts(
            self.store.as_ref(),
            &actor.account,
            &target_jurisdictions,
            now,
            &cfg,
        )?;
        let mut batch = Batch::new();
        let mut entries: Vec<LogEntry> = Vec::new();
        let mut certificate = None;
        if let QuorumNeed::Needed { k, reason } = authz::required_approvals(&action, &counts, &cfg)
        {
            let hash = action.hash();
            if req.approvals.is_empty() && req.action.is_none() {
                // Store the proposal for approvers, log the alarm, and tell the caller.
                let (proposal, _) = authz::propose(&action);
                let alarm = authz::alarm_entry(&actor_account, &hash, now);
                self.audit.commit(self.store.as_ref(), proposal, &[alarm])?;
                tracing::warn!(actor = %actor.account.0, targets = req.targets.len(), ?reason, "transcode needs a quorum");
                return Err(IssuanceError::QuorumRequired {
                    action: hash,
                    k,
                    reason: format!("{reason:?}"),
                });
            }
            let approvals = req
                .approvals
                .iter()
                .map(|b| Signed::<ApprovalBody>::from_bytes(b))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| IssuanceError::Invalid {
                    field: "approvals",
                    message: e.to_string(),
                })?;
            let outcome = authz::check_quorum(
                self.store.as_ref(),
                actor,
                &hash,
                &target_jurisdictions,
                &approvals,
                k,
                &cfg,
                now,
            )?;
            merge(&mut batch, outcome.batch);
            entries.extend(outcome.log);
            certificate = Some(outcome.certificate);
        }
        merge(
            &mut batch,
            authz::record_transcodes(
                self.store.as_ref(),
                &actor.account,
                &target_jurisdictions,
                now,
                &cfg,
            )?,
        );

        // Accept the evidence, assess, record.
        let role = match actor.kind {
            PrincipalKind::Staff(Role::Admin(l)) => format!("admin-{l}"),
            PrincipalKind::Staff(r) => format!("role-{}", r.code()),
            PrincipalKind::Holder => "holder".into(),
        };
        let quorum_hex = certificate
            .as_ref()
            .map(|c| hex::encode(hcx_protocol::cbor::to_canonical(c)));
        let mut statuses = Vec::with_capacity(holders.len());
        let mut index_updates = Vec::with_capacity(holders.len());
        for (holder, evidence) in &holders {
            let mut facts = self.accepted_facts(&holder.id)?;
            for e in evidence {
                if e.accepted_at.is_none() {
                    let mut accepted = e.clone();
                    accepted.accepted_by = Some(actor.account.0.clone());
                    accepted.accepted_at = Some(now);
                    batch.expect(Tree::Evidence, evidence_key(&e.id), Some(to_json(e)));
                    batch.put(Tree::Evidence, evidence_key(&e.id), to_json(&accepted));
                    facts.push(fact_of(e)?);
                }
            }
            let a = rules.assess(&facts, now);
            let (next, _) = self.latest_status(holder)?;
            let record = status_record(
                next,
                now,
                &a,
                &rules,
                &actor.account.0,
                &role,
                actor.jurisdiction.as_str(),
                quorum_hex.clone(),
            );
            stage_status(&mut batch, holder, next, &record);
            let codes = self.codes_of(&holder.id)?;
            let latest_code = codes.last().and_then(|c| code_hash(c).ok());
            let mut salt = [0u8; 16];
            ring::rand::SecureRandom::fill(&self.rng, &mut salt)
                .map_err(|_| IssuanceError::Signing)?;
            entries.push(LogEntry {
                kind: EntryKind::Transcode,
                time: now,
                actor: actor_account.role(),
                actor_kid: actor_account.kid(),
                jurisdiction: Some(actor.jurisdiction.clone()),
                message: None,
                code: latest_code,
                rule: Some(rules.id()),
                commitment: Some(commitment(&salt, &record)),
            });
            index_updates.push((codes, a.is_green(), now));
            statuses.push((holder.id.clone(), record));
        }
        // The audit log takes at most a bounded number of entries per commit; large
        // transcodes commit in chunks only through the quorum path, so one commit here.
        self.audit.commit(self.store.as_ref(), batch, &entries)?;
        for (codes, green, now) in index_updates {
            self.with_status_index(|s| {
                for c in codes.iter().filter(|c| c.expires_at > now) {
                    if let Ok(h) = code_hash(c) {
                        if green {
                            s.non_green.remove(&h);
                        } else {
                            s.non_green.insert(h);
                        }
                    }
                }
            });
        }
        Ok(TranscodeOutcome {
            statuses,
            quorum: certificate.is_some(),
        })
    }

    /// Rebuilds the live status index from the store: every unexpired code of a holder
    /// whose current assessment is not green.
    ///
    /// # Errors
    /// Store errors, damaged records.
    pub fn rebuild_status_index(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        let rules = self.rules();
        let mut index = crate::node::StatusIndex::default();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let page = self
                .store
                .scan(Tree::Holders, b"h:", after.as_deref(), 512)?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            for (_, v) in &page {
                let Ok(holder) = read_json::<HolderRecord>(v) else {
                    continue;
                };
                let Ok(facts) = self.accepted_facts(&holder.id) else {
                    continue;
                };
                if rules.assess(&facts, now).is_green() {
                    continue;
                }
                for c in self.codes_of(&holder.id).unwrap_or_default() {
                    if c.expires_at > now
                        && let Ok(h) = code_hash(&c)
                    {
                        index.non_green.insert(h);
                    }
                }
            }
        }
        self.with_status_index(|s| *s = index);
        Ok(())
    }
}

fn merge(into: &mut Batch, from: Batch) {
    into.guards.extend(from.guards);
    into.ops.extend(from.ops);
}

fn code_hash(c: &CodeRecord) -> Result<hcx_protocol::wire::CodeIdHash, IssuanceError> {
    let id: [u8; 16] = hex::decode(&c.code_id)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| IssuanceError::Damaged("code id".into()))?;
    Ok(hcx_protocol::wire::CodeId(id).hash())
}

fn fact_of(e: &EvidenceRecord) -> Result<Fact, IssuanceError> {
    let category = Category::from_name(&e.category)
        .ok_or_else(|| IssuanceError::Damaged("evidence category".into()))?;
    let mut f = Fact::new(e.id.clone(), category, e.at);
    if let Some(level) = e
        .level
        .as_deref()
        .and_then(crate::rules::vocab::area_from_name)
    {
        f = f.with_level(level);
    }
    Ok(f)
}

/// SHA-256(salt ‖ canonical JSON of the status record): what auditors see in the log;
/// the holder's node can open it to them.
fn commitment(salt: &[u8; 16], record: &StatusRecord) -> Commitment {
    Commitment(sha256(&[salt.as_slice(), &to_json(record)].concat()))
}

#[allow(clippy::too_many_arguments)] // a record has this many parts
fn status_record(
    seq: u64,
    now: u64,
    a: &Assessment,
    rules: &RuleSet,
    actor: &str,
    role: &str,
    jurisdiction: &str,
    quorum: Option<String>,
) -> StatusRecord {
    StatusRecord {
        seq,
        at: now,
        colour: a.colour.0,
        colour_name: a.colour_name.clone(),
        risk: present::risk(a.risk).to_owned(),
        reason: a.reason.as_ref().map(|r| r.as_str().to_owned()),
        rule_set: format!("{}@{}", hex::encode(rules.id().hash), rules.id().version),
        rule_id: a.rule_id.clone(),
        evidence: a.evidence.clone(),
        actor: actor.to_owned(),
        role: role.to_owned(),
        jurisdiction: jurisdiction.to_owned(),
        quorum,
    }
}

fn stage_status(batch: &mut Batch, holder: &HolderRecord, seq: u64, record: &StatusRecord) {
    let next_key = next_seq_key(&holder.lineage);
    let expected = (seq > 0).then(|| seq.to_be_bytes().to_vec());
    batch.expect(Tree::StatusLog, next_key.clone(), expected);
    batch.put(Tree::StatusLog, next_key, (seq + 1).to_be_bytes().to_vec());
    batch.put(
        Tree::StatusLog,
        status_key(&holder.lineage, seq),
        to_json(record),
    );
}
