//! The trust bundle for offline gates: the charter hash, each region's code-signing keys
//! with validity, status snapshots, creation time and freshness bound. COSE-signed by the
//! node's operational key.
//!
//! Not here: building it (the node) and using it to verify codes (`crate::verify`).

use crate::cbor::DecodeError;

use super::{
    Digest, KeyId, KeyRecord, Region, StatusSnapshot, cap, strictly_ascending, wire_message,
    wire_struct,
};

wire_struct! {
    /// One code-signing key in a bundle.
    pub struct BundleKey {
        /// Key id.
        1 req kid: KeyId,
        /// Public key.
        2 req key: KeyRecord,
        /// Valid from.
        3 req not_before: u64,
        /// Valid until.
        4 req not_after: u64,
    }
}

wire_struct! {
    /// A region's code-signing keys.
    pub struct BundleRegion {
        /// Region.
        1 req region: Region,
        /// Its keys.
        2 req keys: Vec<BundleKey>,
    }
}

/// The trust bundle size limit.
pub const TRUST_BUNDLE_MAX: usize = 16 * 1024 * 1024;

wire_struct! {
    /// What an offline gate needs to verify codes from every region.
    pub struct TrustBundle {
        /// The node (region) that made it.
        1 req issuer: Region,
        /// The charter it follows.
        2 req charter: Digest,
        /// Created at.
        3 req created_at: u64,
        /// Freshness bound of the bundle as a whole.
        4 req fresh_until: u64,
        /// Regions with their code-signing keys, sorted by region.
        5 req regions: Vec<BundleRegion>,
        /// Status snapshots, at most one per region, sorted by region.
        6 req snapshots: Vec<StatusSnapshot>,
    }
    check = TrustBundle::check;
}
wire_message!(TrustBundle, 9, TRUST_BUNDLE_MAX, "trust-bundle");

impl TrustBundle {
    fn check(&self) -> Result<(), DecodeError> {
        cap(&self.regions, 256, "bundle regions")?;
        let r: Vec<Region> = self.regions.iter().map(|r| r.region).collect();
        strictly_ascending(&r, "bundle regions (sorted, unique)")?;
        let s: Vec<Region> = self.snapshots.iter().map(|s| s.region).collect();
        strictly_ascending(&s, "bundle snapshots (sorted by region, unique)")?;
        if self.fresh_until <= self.created_at {
            return Err(DecodeError::InvalidValue {
                field: "bundle freshness",
            });
        }
        Ok(())
    }
}
