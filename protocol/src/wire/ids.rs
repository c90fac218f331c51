//! Shared wire newtypes: regions, jurisdictions, code ids and their hashes, key ids, rule
//! ids, colours, risk levels, account roles, public-key records, and [`Signed`], the
//! detached signature an account (admin, evidence source, terminal) or a region root
//! puts on a message it hands to others.
//!
//! Not here: COSE_Sign1 (`crate::cose`, for everything a region key signs), identity
//! document rules (`crate::identity`).

use crate::cbor::{Cbor, DecodeError, Decoder, Encoder};
use crate::sign::{self, Alg, PublicKey, SignatureError, Signer};

use super::{WireMessage, wire_enum, wire_struct};

/// A region (province-level GB/T 2260 code), from `crate::identity`.
pub use crate::identity::Region;

/// A region written as its two-digit province prefix (`33` for `330000`): the compact
/// form health-code claims use, three bytes shorter than the six-digit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionPrefix(pub Region);

impl Cbor for RegionPrefix {
    fn encode(&self, e: &mut Encoder) {
        e.u64(u64::from(self.0.code() / 10_000));
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        u8::try_from(d.u64()?)
            .ok()
            .and_then(Region::from_prefix)
            .map(Self)
            .ok_or(DecodeError::InvalidValue {
                field: "region prefix",
            })
    }
}

/// An administrative jurisdiction: a prefix of a division code (2, 4 or 6 ASCII digits;
/// `33` is all of Zhejiang, `3301` Hangzhou), or a longer township/village code (9 or 12
/// digits) where a rule or risk area is that fine.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Jurisdiction(String);

impl Jurisdiction {
    /// A jurisdiction from its digits.
    pub fn new(digits: &str) -> Option<Self> {
        let ok_len = matches!(digits.len(), 2 | 4 | 6 | 9 | 12);
        (ok_len && digits.bytes().all(|b| b.is_ascii_digit())).then(|| Self(digits.to_owned()))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `other` lies within this jurisdiction (this is a prefix of it).
    pub fn covers(&self, other: &Self) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl Cbor for Jurisdiction {
    fn encode(&self, e: &mut Encoder) {
        e.text(&self.0);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Self::new(d.text()?).ok_or(DecodeError::InvalidValue {
            field: "jurisdiction",
        })
    }
}

macro_rules! fixed_bytes {
    ($(#[$meta:meta])* $name:ident, $n:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $n]);

        impl Cbor for $name {
            fn encode(&self, e: &mut Encoder) {
                e.bytes(&self.0);
            }
            fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
                d.bytes_fixed::<$n>().map(Self)
            }
        }
    };
}

fixed_bytes!(
    /// A code id: 16 random bytes, new at every issuance.
    CodeId,
    16
);
fixed_bytes!(
    /// SHA-256 of a [`CodeId`]: how every federation message names a code.
    CodeIdHash,
    32
);
fixed_bytes!(
    /// A SHA-256 digest (of a message, an action, a charter, a rule document...).
    Digest,
    32
);
fixed_bytes!(
    /// A salted commitment `SHA-256(salt ‖ content)` to data kept private by its owner
    /// (an evidence record, a reason); the node can open it to the holder.
    Commitment,
    32
);

impl CodeId {
    /// The hash that names this code in federation messages and logs.
    pub fn hash(&self) -> CodeIdHash {
        CodeIdHash(sign::sha256(&self.0))
    }
}

/// The smallest key id hcx accepts.
pub const KEY_ID_MIN: usize = crate::cose::MIN_KID_LEN;
/// The largest key id hcx accepts.
pub const KEY_ID_MAX: usize = crate::cose::MAX_KID_LEN;

/// A key id (COSE `kid`): 16 to 64 bytes. hcx derives it as the first 16 bytes of
/// SHA-256 of the public key bytes ([`KeyId::derive`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(Vec<u8>);

impl KeyId {
    /// A key id from its bytes, if 16 to 64 long.
    pub fn new(bytes: &[u8]) -> Option<Self> {
        (KEY_ID_MIN..=KEY_ID_MAX)
            .contains(&bytes.len())
            .then(|| Self(bytes.to_vec()))
    }

    /// The hcx key id of a public key: the first 16 bytes of SHA-256 of its raw bytes.
    pub fn derive(public_key: &[u8]) -> Self {
        let h = sign::sha256(public_key);
        Self(h.iter().take(KEY_ID_MIN).copied().collect())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Cbor for KeyId {
    fn encode(&self, e: &mut Encoder) {
        e.bytes(&self.0);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Self::new(d.bytes()?).ok_or(DecodeError::InvalidValue {
            field: "key id (16-64 bytes)",
        })
    }
}

/// A rule set's id at one version: SHA-256 of the signed rule set's canonical encoding,
/// and its version number. Encoded as the array `[hash, version]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId {
    /// SHA-256 of the rule set.
    pub hash: [u8; 32],
    /// Its version.
    pub version: u32,
}

impl Cbor for RuleId {
    fn encode(&self, e: &mut Encoder) {
        e.array(2).bytes(&self.hash).u64(u64::from(self.version));
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.array_of(2)?;
        Ok(Self {
            hash: d.bytes_fixed::<32>()?,
            version: u32::decode(d)?,
        })
    }
}

/// The short rule reference a health code carries (its QR budget is tight): the first
/// four bytes of the rule set's hash and its version. Encoded as `[bstr .size 4, uint]`.
/// It names a rule set of the issuing region; the code's signature, not the prefix,
/// makes it authentic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleRef {
    /// First four bytes of the rule set's SHA-256.
    pub prefix: [u8; 4],
    /// Version.
    pub version: u16,
}

impl RuleRef {
    /// The reference to `id`, if its version fits 16 bits.
    pub fn of(id: &RuleId) -> Option<Self> {
        let mut prefix = [0u8; 4];
        for (p, h) in prefix.iter_mut().zip(&id.hash) {
            *p = *h;
        }
        Some(Self {
            prefix,
            version: u16::try_from(id.version).ok()?,
        })
    }

    /// Whether this reference names `id`.
    pub fn matches(&self, id: &RuleId) -> bool {
        Self::of(id).as_ref() == Some(self)
    }
}

impl Cbor for RuleRef {
    fn encode(&self, e: &mut Encoder) {
        e.array(2).bytes(&self.prefix).u64(u64::from(self.version));
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        d.array_of(2)?;
        Ok(Self {
            prefix: d.bytes_fixed::<4>()?,
            version: u16::decode(d)?,
        })
    }
}

/// A palette colour: an index into the issuing rule set's palette. Indices 0–3 have fixed
/// national meanings (green, yellow, red, orange); 4–255 are named by the rule set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Colour(pub u8);

impl Colour {
    /// Green: no restriction.
    pub const GREEN: Self = Self(0);
    /// Yellow.
    pub const YELLOW: Self = Self(1);
    /// Red.
    pub const RED: Self = Self(2);
    /// Orange (Fujian, Sichuan palettes).
    pub const ORANGE: Self = Self(3);

    /// Whether this is green.
    pub const fn is_green(self) -> bool {
        self.0 == 0
    }
}

impl Cbor for Colour {
    fn encode(&self, e: &mut Encoder) {
        e.u64(u64::from(self.0));
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        u8::decode(d)
            .map(Self)
            .map_err(|_| DecodeError::InvalidValue { field: "colour" })
    }
}

wire_enum! {
    /// The national risk level a rule derived from the evidence (not from the colour).
    pub enum RiskLevel("risk level") {
        /// Low risk.
        Low = 1,
        /// Medium risk.
        Medium = 2,
        /// High risk.
        High = 3,
    }
}

/// An account's role (Guangxi art. 20). Wire codes: admin levels 1–5 are 1–5; grid
/// admin 6; collector 7; auditor 8; evidence source 9; access terminal 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Region admin at level 1 (province) to 5.
    Admin(u8),
    /// Grid admin.
    Grid,
    /// Checkpoint collector.
    Collector,
    /// Auditor (read-only).
    Auditor,
    /// Evidence-source account of a health, police or customs feed.
    EvidenceSource,
    /// Access terminal (gate, scanner).
    Terminal,
}

impl Role {
    /// The wire code.
    pub const fn code(self) -> u64 {
        match self {
            Self::Admin(l) => l as u64,
            Self::Grid => 6,
            Self::Collector => 7,
            Self::Auditor => 8,
            Self::EvidenceSource => 9,
            Self::Terminal => 10,
        }
    }

    /// The role for a wire code.
    pub const fn from_code(code: u64) -> Option<Self> {
        Some(match code {
            1..=5 => Self::Admin(code as u8),
            6 => Self::Grid,
            7 => Self::Collector,
            8 => Self::Auditor,
            9 => Self::EvidenceSource,
            10 => Self::Terminal,
            _ => return None,
        })
    }

    /// Whether the role may transcode (admin levels 1–4).
    pub const fn may_transcode(self) -> bool {
        matches!(self, Self::Admin(1..=4))
    }
}

impl Cbor for Role {
    fn encode(&self, e: &mut Encoder) {
        e.u64(self.code());
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Self::from_code(d.u64()?).ok_or(DecodeError::InvalidValue { field: "role" })
    }
}

/// The COSE algorithm of a key record: a signature algorithm, or X25519 for notice keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlg {
    /// A signature algorithm (Ed25519 -8, ES256 -7, PS256 -37).
    Sig(Alg),
    /// X25519 key agreement (COSE -25, ECDH-ES + HKDF-256), for notice keys.
    X25519,
}

impl KeyAlg {
    /// The COSE algorithm id.
    pub const fn cose_id(self) -> i64 {
        match self {
            Self::Sig(a) => a.cose_id(),
            Self::X25519 => -25,
        }
    }

    /// The algorithm for a COSE id hcx accepts in key records (-8, -7, -25).
    pub const fn from_cose_id(id: i64) -> Option<Self> {
        match id {
            -8 => Some(Self::Sig(Alg::EdDsa)),
            -7 => Some(Self::Sig(Alg::Es256)),
            -25 => Some(Self::X25519),
            _ => None,
        }
    }

    /// The exact public-key length for this algorithm.
    pub const fn key_len(self) -> usize {
        match self {
            Self::Sig(Alg::Es256) => 65,
            Self::Sig(Alg::Ps256) => 0,
            Self::Sig(Alg::EdDsa) | Self::X25519 => 32,
        }
    }
}

impl Cbor for KeyAlg {
    fn encode(&self, e: &mut Encoder) {
        e.i64(self.cose_id());
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        Self::from_cose_id(d.i64()?).ok_or(DecodeError::InvalidValue {
            field: "key algorithm",
        })
    }
}

wire_struct! {
    /// A public key with its algorithm: `{1: alg, 2: key bytes}`. Ed25519 and X25519 keys
    /// are 32 bytes, P-256 keys 65 (uncompressed SEC1).
    pub struct KeyRecord {
        /// COSE algorithm.
        1 req alg: KeyAlg,
        /// Raw public key bytes.
        2 req key: crate::cbor::Bytes,
    }
    check = KeyRecord::check;
}

impl KeyRecord {
    /// The record of a signer's public key.
    pub fn of(pk: &PublicKey) -> Self {
        Self {
            alg: KeyAlg::Sig(pk.alg()),
            key: crate::cbor::Bytes(pk.as_bytes().to_vec()),
        }
    }

    fn check(&self) -> Result<(), DecodeError> {
        let ok = self.key.0.len() == self.alg.key_len()
            && (self.alg != KeyAlg::Sig(Alg::Es256) || self.key.0.first() == Some(&4));
        if ok {
            Ok(())
        } else {
            Err(DecodeError::InvalidValue {
                field: "public key length",
            })
        }
    }

    /// The hcx key id of this key.
    pub fn key_id(&self) -> KeyId {
        KeyId::derive(&self.key.0)
    }

    /// The signature-verification key, if this is a signature key.
    pub fn public_key(&self) -> Option<PublicKey> {
        match self.alg {
            KeyAlg::Sig(Alg::EdDsa) => self
                .key
                .0
                .as_slice()
                .try_into()
                .ok()
                .map(PublicKey::Ed25519),
            KeyAlg::Sig(Alg::Es256) => Some(PublicKey::P256(self.key.0.clone())),
            KeyAlg::Sig(Alg::Ps256) | KeyAlg::X25519 => None,
        }
    }
}

/// The context string that starts every detached signature input.
pub const SIGNATURE_CONTEXT: &[u8] = b"hcx-signed-v1\0";

/// The bytes an account or root key signs for a message body of type tag `tag`:
/// `"hcx-signed-v1\0" ‖ uint(tag) ‖ canonical(body)`, so a signature over one type can
/// never be replayed as another.
pub fn signing_input(tag: u64, body: &[u8]) -> Vec<u8> {
    let mut e = Encoder::new();
    e.raw(SIGNATURE_CONTEXT).u64(tag).raw(body);
    e.into_bytes()
}

/// A body signed by an account key or a region root, detached from COSE:
/// `{1: body, 2: signer key id, 3: signature}` with the signature over
/// [`signing_input`]`(B::TYPE_TAG, canonical(body))`. Strict decoding makes the
/// re-encoded body byte-identical to the received one, so verifying over the
/// re-encoding is verifying over the received bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<B> {
    /// The signed content.
    pub body: B,
    /// The signer's key id.
    pub signer: KeyId,
    /// The signature (64 bytes for Ed25519 and ES256).
    pub sig: Vec<u8>,
}

/// The largest signature a [`Signed`] may carry.
pub const MAX_SIGNATURE: usize = 512;

impl<B: WireMessage> Signed<B> {
    /// Signs `body` with `signer`, naming it by `kid`.
    ///
    /// # Errors
    /// If the signer fails.
    pub fn sign(body: B, kid: KeyId, signer: &dyn Signer) -> Result<Self, SignatureError> {
        let sig = signer.sign(&signing_input(B::TYPE_TAG, &body.to_bytes()))?;
        Ok(Self {
            body,
            signer: kid,
            sig,
        })
    }

    /// Verifies the signature with `key`.
    ///
    /// # Errors
    /// A bad signature or an algorithm mismatch.
    pub fn verify(&self, key: &PublicKey) -> Result<(), SignatureError> {
        key.verify(
            key.alg(),
            &signing_input(B::TYPE_TAG, &self.body.to_bytes()),
            &self.sig,
        )
    }
}

impl<B: Cbor> Cbor for Signed<B> {
    fn encode(&self, e: &mut Encoder) {
        // Keys 1, 2, 3 are already in canonical order.
        e.map(3);
        e.u64(1);
        self.body.encode(e);
        e.u64(2);
        self.signer.encode(e);
        e.u64(3).bytes(&self.sig);
    }
    fn decode(d: &mut Decoder<'_>) -> Result<Self, DecodeError> {
        let mut f = d.begin_map()?;
        let body = f.required(d, 1, B::decode)?;
        let signer = f.required(d, 2, KeyId::decode)?;
        let sig = f.required(d, 3, |d| d.bytes().map(<[u8]>::to_vec))?;
        f.finish(d)?;
        if sig.len() > MAX_SIGNATURE {
            return Err(DecodeError::InvalidValue {
                field: "signature length",
            });
        }
        Ok(Self { body, signer, sig })
    }
}

impl<B: WireMessage> WireMessage for Signed<B> {
    const TYPE_TAG: u64 = B::TYPE_TAG;
    const MAX_BYTES: usize = B::MAX_BYTES + 128 + MAX_SIGNATURE;
    const NAME: &'static str = B::NAME;
}
