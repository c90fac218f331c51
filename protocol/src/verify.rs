//! Offline code verification: the one function nodes, gates and apps call on a scanned
//! holder QR text, [`verify_qr_text`], against a [`TrustStore`] (built from a
//! [`TrustBundle`] or key by key) at a caller-given `now`.
//!
//! It returns a [`Verification`]: a [`ResultCode`] and, once the signature has verified,
//! the colour, risk level, issuer region, expiry and holder binding — never a reason
//! (codes carry none). Key lookup is one `HashMap` probe by key id; snapshot lookups are
//! binary searches, so the cost is dominated by the one signature verification.
//!
//! Not here: fetching bundles or status (the node), matching the holder binding against
//! a document (`crate::binding::matches`), the QR symbol itself.

use std::collections::HashMap;

use crate::cose::{Profile, Sign1};
use crate::qr;
use crate::sign::PublicKey;
use crate::wire::{
    CodeClaims, CodeKind, Colour, HolderBinding, KeyId, Region, RiskLevel, StatusSnapshot,
    TrustBundle, WireMessage, cose_aad,
};

/// Clock skew tolerated before a code counts as not yet valid, seconds.
pub const CLOCK_SKEW: u64 = 120;

/// The outcome of verifying a code. `as_str` gives the stable names used in SPEC.md and
/// the conformance vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResultCode {
    /// Signature, key, validity window and status all check out.
    Valid,
    /// Past its expiry.
    Expired,
    /// Issued more than [`CLOCK_SKEW`] in the future.
    NotYetValid,
    /// The signature does not verify under the named key.
    BadSignature,
    /// The key id names no trusted code-signing key.
    UnknownKey,
    /// The key belongs to another region than the code's issuer.
    WrongIssuer,
    /// The code's lifetime is not inside the key's validity window.
    KeyNotValidAtIssuance,
    /// The issuer's snapshot lists the code as revoked.
    Revoked,
    /// The code says green but the issuer's snapshot lists it as no longer green.
    StatusChanged,
    /// No status snapshot of the issuer within its freshness bound: the signature and
    /// dates are fine, but an old green must not be trusted.
    StatusStale,
    /// Not an hcx code text, COSE message or claims payload.
    Malformed,
}

impl ResultCode {
    /// The stable name (`valid`, `expired`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::BadSignature => "bad_signature",
            Self::UnknownKey => "unknown_key",
            Self::WrongIssuer => "wrong_issuer",
            Self::KeyNotValidAtIssuance => "key_not_valid_at_issuance",
            Self::Revoked => "revoked",
            Self::StatusChanged => "status_changed",
            Self::StatusStale => "status_stale",
            Self::Malformed => "malformed",
        }
    }

    /// Every code.
    pub const ALL: [Self; 11] = [
        Self::Valid,
        Self::Expired,
        Self::NotYetValid,
        Self::BadSignature,
        Self::UnknownKey,
        Self::WrongIssuer,
        Self::KeyNotValidAtIssuance,
        Self::Revoked,
        Self::StatusChanged,
        Self::StatusStale,
        Self::Malformed,
    ];
}

/// What a verifier may show about a code whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeInfo {
    /// Palette colour as signed.
    pub colour: Colour,
    /// National risk level.
    pub risk: RiskLevel,
    /// Issuing region.
    pub issuer: Region,
    /// Kind of code.
    pub kind: CodeKind,
    /// Issued at.
    pub issued_at: u64,
    /// Expires at.
    pub expires_at: u64,
    /// Holder binding.
    pub holder: HolderBinding,
}

/// The result of [`verify_qr_text`]. `info` is present exactly when the signature
/// verified (every code but `Malformed`, `UnknownKey`, `WrongIssuer`, `BadSignature`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The result.
    pub result: ResultCode,
    /// What the code says, once authenticated.
    pub info: Option<CodeInfo>,
}

impl Verification {
    fn fail(result: ResultCode) -> Self {
        Self { result, info: None }
    }
}

/// One trusted code-signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    /// The region it signs for.
    pub region: Region,
    /// The key.
    pub key: PublicKey,
    /// Valid from.
    pub not_before: u64,
    /// Valid until: no code it signs may outlive this.
    pub not_after: u64,
}

/// The keys and status a verifier trusts.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    keys: HashMap<KeyId, TrustedKey>,
    snapshots: HashMap<Region, StatusSnapshot>,
    /// No snapshot is trusted past this (the bundle's own bound), if set.
    fresh_cap: Option<u64>,
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trusts `key` under `kid` (replacing any key under that id).
    pub fn add_key(&mut self, kid: KeyId, key: TrustedKey) {
        self.keys.insert(kid, key);
    }

    /// Uses `snapshot` as its region's status (replacing an older one only).
    pub fn add_snapshot(&mut self, snapshot: StatusSnapshot) {
        let newer = self
            .snapshots
            .get(&snapshot.region)
            .is_none_or(|s| s.date <= snapshot.date);
        if newer {
            self.snapshots.insert(snapshot.region, snapshot);
        }
    }

    /// The key under `kid`.
    pub fn key(&self, kid: &KeyId) -> Option<&TrustedKey> {
        self.keys.get(kid)
    }

    /// Number of trusted keys.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// A store from an (already verified) trust bundle: its code-signing keys, its
    /// snapshots, and its freshness bound as a cap on every snapshot's. Keys that are not
    /// signature keys are skipped.
    pub fn from_bundle(bundle: &TrustBundle) -> Self {
        let mut store = Self {
            fresh_cap: Some(bundle.fresh_until),
            ..Self::default()
        };
        for r in &bundle.regions {
            for k in &r.keys {
                if let Some(key) = k.key.public_key() {
                    let trusted = TrustedKey {
                        region: r.region,
                        key,
                        not_before: k.not_before,
                        not_after: k.not_after,
                    };
                    store.add_key(k.kid.clone(), trusted);
                }
            }
        }
        for s in &bundle.snapshots {
            store.add_snapshot(s.clone());
        }
        store
    }

    fn fresh_snapshot(&self, region: Region, now: u64) -> Option<&StatusSnapshot> {
        let s = self.snapshots.get(&region)?;
        let bound = self
            .fresh_cap
            .map_or(s.fresh_until, |c| c.min(s.fresh_until));
        (now < bound).then_some(s)
    }
}

/// Verifies a holder QR text (`HCX1:` + base45(COSE_Sign1(code claims))) at `now`.
///
/// Order of checks: text, COSE structure and claims (else `Malformed`); key by kid
/// (`UnknownKey`); key region = issuer (`WrongIssuer`); signature (`BadSignature`);
/// `not_before ≤ issued_at` and `expires_at ≤ not_after` (`KeyNotValidAtIssuance`);
/// `issued_at ≤ now + CLOCK_SKEW` (`NotYetValid`); `now < expires_at` (`Expired`); the
/// issuer's fresh snapshot: revoked (`Revoked`), green but listed non-green
/// (`StatusChanged`), no fresh snapshot (`StatusStale`); else `Valid`.
pub fn verify_qr_text(text: &str, trust: &TrustStore, now: u64) -> Verification {
    let Ok(cose) = qr::decode_hcx(text) else {
        return Verification::fail(ResultCode::Malformed);
    };
    verify_cose(&cose, trust, now)
}

/// [`verify_qr_text`] for the COSE bytes already taken out of the text.
pub fn verify_cose(cose: &[u8], trust: &TrustStore, now: u64) -> Verification {
    let Ok(s) = Sign1::parse_with_limit(cose, Profile::Hcx, qr::MAX_HCX_COSE_BYTES) else {
        return Verification::fail(ResultCode::Malformed);
    };
    let Ok(claims) = CodeClaims::from_bytes(s.payload()) else {
        return Verification::fail(ResultCode::Malformed);
    };
    let Some(key) = s.kid().and_then(KeyId::new).and_then(|kid| trust.key(&kid)) else {
        return Verification::fail(ResultCode::UnknownKey);
    };
    if key.region != claims.issuer.0 {
        return Verification::fail(ResultCode::WrongIssuer);
    }
    if s.verify(&key.key, &cose_aad(CodeClaims::TYPE_TAG)).is_err() {
        return Verification::fail(ResultCode::BadSignature);
    }
    let expires_at = claims.expires_at();
    let result = status(&claims, key, trust, now, expires_at);
    let info = CodeInfo {
        colour: claims.colour,
        risk: claims.risk,
        issuer: claims.issuer.0,
        kind: claims.kind,
        issued_at: claims.issued_at,
        expires_at,
        holder: claims.holder(),
    };
    Verification {
        result,
        info: Some(info),
    }
}

fn status(
    claims: &CodeClaims,
    key: &TrustedKey,
    trust: &TrustStore,
    now: u64,
    expires_at: u64,
) -> ResultCode {
    if claims.issued_at < key.not_before || expires_at > key.not_after {
        return ResultCode::KeyNotValidAtIssuance;
    }
    if claims.issued_at > now.saturating_add(CLOCK_SKEW) {
        return ResultCode::NotYetValid;
    }
    if now >= expires_at {
        return ResultCode::Expired;
    }
    let Some(snapshot) = trust.fresh_snapshot(claims.issuer.0, now) else {
        return ResultCode::StatusStale;
    };
    let hash = claims.code_id.hash();
    if snapshot.is_revoked(&hash) {
        ResultCode::Revoked
    } else if claims.colour.is_green() && snapshot.is_non_green(&hash) {
        ResultCode::StatusChanged
    } else {
        ResultCode::Valid
    }
}

#[cfg(test)]
mod tests;
