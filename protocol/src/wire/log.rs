//! Log messages: the audit-log entry (the Merkle leaf), checkpoints and cosignatures
//! (C2SP text notes carried as opaque bytes, never re-encoded), equivocation evidence,
//! log resets, destruction statements and terminal exit statements.
//!
//! Not here: Merkle maths (`crate::merkle`), parsing or signing the notes
//! (`crate::note`), the witness state machine (`crate::witness`).

use crate::cbor::{Bytes, DecodeError};

use super::{
    CodeIdHash, Commitment, Digest, Jurisdiction, KeyId, Region, Role, RuleId, StreamId, cap,
    wire_enum, wire_message, wire_struct,
};

/// The longest C2SP note (checkpoint or cosigned checkpoint) carried, bytes.
pub const MAX_NOTE: usize = 8 * 1024;

wire_enum! {
    /// What an audit-log entry records.
    pub enum EntryKind("log entry kind") {
        /// A message this node sent.
        Sent = 1,
        /// A message this node accepted.
        Accepted = 2,
        /// A code issuance.
        Issuance = 3,
        /// A colour change (transcode).
        Transcode = 4,
        /// An approval given or a quorum reached.
        Approval = 5,
        /// An appeal decision (or escalation).
        AppealDecision = 6,
        /// A key announced, retired or revoked.
        KeyChange = 7,
        /// A charter change.
        CharterChange = 8,
        /// A terminal exit statement received.
        TerminalExit = 9,
        /// Retention purge of scans or check-ins.
        Purge = 10,
        /// Destruction of an epoch key or data at sunset.
        Destruction = 11,
        /// An alarm raised (missing quorum certificate, overdue appeal, impossible travel).
        Alarm = 12,
        /// A collector's exact-match colour lookup (no-phone holders).
        CollectorLookup = 13,
        /// A guardian's use of a delegation.
        DelegationUse = 14,
        /// An admin-roster change.
        RosterChange = 15,
        /// A rule-set or risk-area change.
        RuleChange = 16,
        /// A holder registered (ids only; the real-name record stays sealed locally).
        Registration = 17,
        /// An account opened, reviewed or deleted.
        AccountChange = 18,
        /// An evidence record accepted from an evidence-source account.
        EvidenceReceived = 19,
    }
}

wire_struct! {
    /// A reference to one federation message: its (sender, stream, seq) and SHA-256 of
    /// its COSE bytes.
    pub struct MessageRef {
        /// Sender region.
        1 req sender: Region,
        /// Stream.
        2 req stream: StreamId,
        /// Sequence number.
        3 req seq: u64,
        /// SHA-256 of the message's bytes.
        4 req hash: Digest,
    }
}

wire_struct! {
    /// One audit-log entry (the Merkle leaf is its canonical encoding). Ids, hashes and
    /// salted commitments only; never personal data.
    pub struct LogEntry {
        /// What happened.
        1 req kind: EntryKind,
        /// When.
        2 req time: u64,
        /// The acting account's role.
        3 opt actor: Role,
        /// The acting account's key id.
        4 opt actor_kid: KeyId,
        /// The actor's jurisdiction.
        5 opt jurisdiction: Jurisdiction,
        /// The message, for `Sent` and `Accepted`.
        6 opt message: MessageRef,
        /// The code concerned.
        7 opt code: CodeIdHash,
        /// The rule applied.
        8 opt rule: RuleId,
        /// Salted commitment to the private details (reason, evidence, decision).
        9 opt commitment: Commitment,
    }
    check = LogEntry::check;
}
wire_message!(LogEntry, 10, 1024, "log-entry");

impl LogEntry {
    fn check(&self) -> Result<(), DecodeError> {
        let is_message = matches!(self.kind, EntryKind::Sent | EntryKind::Accepted);
        if is_message != self.message.is_some() {
            return Err(DecodeError::InvalidValue {
                field: "message reference for entry kind",
            });
        }
        Ok(())
    }
}

fn note_len(b: &Bytes) -> Result<(), DecodeError> {
    if b.0.is_empty() || b.0.len() > MAX_NOTE {
        Err(DecodeError::InvalidValue {
            field: "note length",
        })
    } else {
        Ok(())
    }
}

wire_struct! {
    /// A log checkpoint (C2SP `tlog-checkpoint` signed note), as opaque bytes.
    pub struct CheckpointNote {
        /// The signed note text.
        1 req note: Bytes,
    }
    check = CheckpointNote::check;
}
wire_message!(CheckpointNote, 25, MAX_NOTE + 16, "checkpoint");

impl CheckpointNote {
    fn check(&self) -> Result<(), DecodeError> {
        note_len(&self.note)
    }
}

wire_struct! {
    /// A cosigned checkpoint: the log's region and the note with the witness's
    /// cosignature line (C2SP `tlog-cosignature`), as opaque bytes.
    pub struct CosignatureNote {
        /// The region whose log is cosigned.
        1 req log: Region,
        /// The cosigned note text.
        2 req note: Bytes,
    }
    check = CosignatureNote::check;
}
wire_message!(CosignatureNote, 26, MAX_NOTE + 32, "cosignature");

impl CosignatureNote {
    fn check(&self) -> Result<(), DecodeError> {
        note_len(&self.note)
    }
}

wire_enum! {
    /// What an equivocation proof consists of.
    pub enum EquivocationKind("equivocation kind") {
        /// Two signed envelopes with the same (sender, stream, seq) and different bytes.
        Envelopes = 1,
        /// Two checkpoints of the same size with different roots.
        Checkpoints = 2,
    }
}

/// The equivocation evidence size limit (two envelopes of the largest body fit).
pub const EQUIVOCATION_MAX: usize = 9 * 1024 * 1024;

wire_struct! {
    /// Evidence that a region equivocated: two signed items that cannot both be honest.
    pub struct Equivocation {
        /// The accused region.
        1 req accused: Region,
        /// Kind of proof.
        2 req kind: EquivocationKind,
        /// The first signed item (COSE envelope bytes or note text).
        3 req first: Bytes,
        /// The second.
        4 req second: Bytes,
    }
    check = Equivocation::check;
}
wire_message!(Equivocation, 27, EQUIVOCATION_MAX, "equivocation");

impl Equivocation {
    fn check(&self) -> Result<(), DecodeError> {
        if self.first == self.second {
            return Err(DecodeError::InvalidValue {
                field: "equivocation items identical",
            });
        }
        Ok(())
    }
}

wire_struct! {
    /// A log reset: a restored node whose log is not consistent with its newest cosigned
    /// checkpoint continues under a new origin.
    pub struct LogReset {
        /// The old log origin line.
        1 req old_origin: String,
        /// The new log origin line.
        2 req new_origin: String,
        /// The last checkpoint the new log is consistent with (note bytes).
        3 req last_consistent: Bytes,
        /// Time.
        4 req time: u64,
    }
    check = LogReset::check;
}
wire_message!(LogReset, 28, MAX_NOTE + 1024, "log-reset");

impl LogReset {
    fn check(&self) -> Result<(), DecodeError> {
        super::cap_text(&self.old_origin, 256, "origin")?;
        super::cap_text(&self.new_origin, 256, "origin")?;
        if self.old_origin == self.new_origin {
            return Err(DecodeError::InvalidValue {
                field: "log reset keeps origin",
            });
        }
        note_len(&self.last_consistent)
    }
}

wire_struct! {
    /// A destruction statement at sunset (or on leaving): what was crypto-shredded.
    /// Witnesses cosign the log that contains it.
    pub struct DestructionStatement {
        /// The region.
        1 req region: Region,
        /// Time of destruction.
        2 req time: u64,
        /// The charter whose sunset (or whose leaving) this follows.
        3 req charter: Digest,
        /// Epochs whose keys were destroyed.
        4 req epochs: Vec<u64>,
        /// Key ids destroyed.
        5 req keys: Vec<KeyId>,
    }
    check = DestructionStatement::check;
}
wire_message!(DestructionStatement, 29, 64 * 1024, "destruction-statement");

impl DestructionStatement {
    fn check(&self) -> Result<(), DecodeError> {
        cap(&self.epochs, 4096, "epochs")?;
        cap(&self.keys, 1024, "destroyed keys")
    }
}

wire_struct! {
    /// A terminal's exit statement: it purged its local records. Carried as
    /// `Signed<TerminalExit>`, signed by the terminal's key.
    pub struct TerminalExit {
        /// The terminal's key id.
        1 req terminal: KeyId,
        /// Time.
        2 req time: u64,
        /// Scan records purged.
        3 req scans_purged: u64,
        /// Check-in records purged.
        4 req checkins_purged: u64,
        /// Trust bundles deleted.
        5 req bundles_purged: u64,
    }
}
wire_message!(TerminalExit, 8, 256, "terminal-exit");
