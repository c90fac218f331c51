//! Key messages: the root's grant of an operational key, the node certificate binding a
//! libp2p peer id to that key, and key announcements (code-signing, log, witness, notice
//! keys; retirement and revocation).
//!
//! Not here: key storage and rotation policy (the node), signature maths (`crate::sign`).

use crate::cbor::{Bytes, DecodeError};

use super::{KeyId, KeyRecord, Region, Signed, wire_enum, wire_message, wire_struct};

wire_struct! {
    /// A region root's grant of an operational key for a validity window. Carried as
    /// `Signed<OperationalKeyGrant>`, signed by the root key listed in the charter.
    pub struct OperationalKeyGrant {
        /// The region.
        1 req region: Region,
        /// The operational public key.
        2 req key: KeyRecord,
        /// Valid from (Unix seconds).
        3 req not_before: u64,
        /// Valid until (Unix seconds).
        4 req not_after: u64,
    }
    check = OperationalKeyGrant::check;
}
wire_message!(OperationalKeyGrant, 5, 512, "operational-key-grant");

impl OperationalKeyGrant {
    fn check(&self) -> Result<(), DecodeError> {
        if self.not_before >= self.not_after {
            return Err(DecodeError::InvalidValue {
                field: "validity window",
            });
        }
        if self.key.public_key().is_none() {
            return Err(DecodeError::InvalidValue {
                field: "operational key algorithm",
            });
        }
        Ok(())
    }
}

/// The longest libp2p peer id accepted (multihash bytes).
pub const MAX_PEER_ID: usize = 64;

wire_struct! {
    /// A node certificate: the operational key binds a libp2p peer id. Sent in an envelope
    /// signed by that operational key; the grant chains it to the region's root.
    pub struct NodeCertificate {
        /// The root-signed grant of the operational key.
        1 req grant: Signed<OperationalKeyGrant>,
        /// The libp2p peer id (multihash bytes).
        2 req peer_id: Bytes,
        /// Valid from.
        3 req not_before: u64,
        /// Valid until.
        4 req not_after: u64,
    }
    check = NodeCertificate::check;
}
wire_message!(NodeCertificate, 17, 2048, "node-certificate");

impl NodeCertificate {
    fn check(&self) -> Result<(), DecodeError> {
        if self.peer_id.0.is_empty() || self.peer_id.0.len() > MAX_PEER_ID {
            return Err(DecodeError::InvalidValue { field: "peer id" });
        }
        if self.not_before >= self.not_after {
            return Err(DecodeError::InvalidValue {
                field: "validity window",
            });
        }
        Ok(())
    }
}

wire_enum! {
    /// What an announced key is for (one use each).
    pub enum KeyRole("key role") {
        /// Signs node certificates, announcements, rosters and federation messages.
        Operational = 1,
        /// Signs holder, paper and venue codes.
        CodeSigning = 2,
        /// Signs log checkpoints.
        Log = 3,
        /// Signs cosignatures (never the log key).
        Witness = 4,
        /// X25519 key that receives encrypted notice reasons.
        Notice = 5,
    }
}

wire_enum! {
    /// Why a key was revoked (a category, never free text).
    pub enum RevocationReason("revocation reason") {
        /// The key is (or may be) compromised.
        Compromised = 1,
        /// Superseded early (before `not_after`).
        Superseded = 2,
        /// The region left the federation or reached sunset.
        CeasedOperation = 3,
    }
}

wire_struct! {
    /// A key announcement: a key of one role with its validity window; it may retire a
    /// previous key or revoke this one. Signed (in an envelope) by the operational key.
    pub struct KeyAnnouncement {
        /// The region.
        1 req region: Region,
        /// The key's role.
        2 req role: KeyRole,
        /// The key id (COSE `kid`).
        3 req kid: KeyId,
        /// The public key.
        4 req key: KeyRecord,
        /// Valid from.
        5 req not_before: u64,
        /// Valid until. A code-signing key stops signing at `not_after - MAX_CODE_LIFETIME`.
        6 req not_after: u64,
        /// The key this one succeeds.
        7 opt retires: KeyId,
        /// Set when this announcement revokes the key.
        8 opt revoked: RevocationReason,
    }
    check = KeyAnnouncement::check;
}
wire_message!(KeyAnnouncement, 18, 1024, "key-announcement");

impl KeyAnnouncement {
    fn check(&self) -> Result<(), DecodeError> {
        if self.not_before >= self.not_after {
            return Err(DecodeError::InvalidValue {
                field: "validity window",
            });
        }
        let notice = self.role == KeyRole::Notice;
        let x25519 = self.key.alg == super::KeyAlg::X25519;
        if notice != x25519 {
            return Err(DecodeError::InvalidValue {
                field: "key algorithm for role",
            });
        }
        Ok(())
    }
}
