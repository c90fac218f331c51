//! The generator's fixed keys: Ed25519 from fixed seeds, and an ES256 key whose
//! signatures are deterministic (RFC 6979 through the `p256` crate).

use hcx_protocol::sign::{Alg, Ed25519Signer, PublicKey, SignatureError, Signer};
use hcx_protocol::wire::KeyId;
use p256::ecdsa::signature::Signer as _;

/// An Ed25519 key from a seed made of one repeated byte.
pub(crate) fn ed25519(byte: u8) -> Ed25519Signer {
    #[allow(clippy::expect_used)] // a 32-byte seed is always accepted
    Ed25519Signer::from_seed(&[byte; 32]).expect("32-byte seed")
}

/// The hcx key id of a signer's public key.
pub(crate) fn kid(s: &dyn Signer) -> KeyId {
    KeyId::derive(s.public_key().as_bytes())
}

/// An ES256 key that signs deterministically (RFC 6979, SHA-256).
pub(crate) struct DetEs256 {
    key: p256::ecdsa::SigningKey,
}

impl std::fmt::Debug for DetEs256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DetEs256").finish_non_exhaustive()
    }
}

impl DetEs256 {
    /// The key whose private scalar is SHA-256 of `label`.
    pub(crate) fn from_label(label: &str) -> Self {
        let scalar = hcx_protocol::sign::sha256(label.as_bytes());
        #[allow(clippy::expect_used)] // SHA-256 of a fixed label is a valid scalar
        let key = p256::ecdsa::SigningKey::from_slice(&scalar).expect("valid P-256 scalar");
        Self { key }
    }
}

impl Signer for DetEs256 {
    fn alg(&self) -> Alg {
        Alg::Es256
    }
    fn public_key(&self) -> PublicKey {
        let point = self.key.verifying_key().to_encoded_point(false);
        PublicKey::P256(point.as_bytes().to_vec())
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignatureError> {
        let sig: p256::ecdsa::Signature = self.key.sign(msg);
        Ok(sig.to_bytes().to_vec())
    }
}
