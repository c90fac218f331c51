//! Signature algorithms and keys, as pure compute over `ring`.
//!
//! hcx signs with Ed25519 (COSE alg -8) by default and ES256 (-7) for compatibility;
//! PS256 (-37) is verify-only, for reading EU DCC codes. Keys and randomness come in from
//! the caller: nothing here touches the OS except through the `SecureRandom` the caller
//! passes to an ECDSA signature.

use ring::signature::{self, KeyPair};

/// A COSE signature algorithm hcx knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// Ed25519, COSE -8.
    EdDsa,
    /// ECDSA P-256 with SHA-256, signature `r‖s` (64 bytes), COSE -7.
    Es256,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt 32 bytes, COSE -37 (verify only).
    Ps256,
}

impl Alg {
    /// The COSE algorithm identifier.
    pub const fn cose_id(self) -> i64 {
        match self {
            Self::EdDsa => -8,
            Self::Es256 => -7,
            Self::Ps256 => -37,
        }
    }

    /// The algorithm for a COSE identifier.
    pub const fn from_cose_id(id: i64) -> Option<Self> {
        match id {
            -8 => Some(Self::EdDsa),
            -7 => Some(Self::Es256),
            -37 => Some(Self::Ps256),
            _ => None,
        }
    }
}

/// Why a signature operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // each field is named by its variant's documentation
pub enum SignatureError {
    /// The signature does not verify under the key.
    #[error("signature does not verify")]
    BadSignature,
    /// The key's type does not match the algorithm named by the message.
    #[error("key type does not match algorithm {alg:?}")]
    AlgKeyMismatch { alg: Alg },
    /// The key bytes are not a valid key of their type.
    #[error("malformed public or private key")]
    BadKey,
    /// The signer failed (the random source, for ECDSA).
    #[error("signing failed")]
    SigningFailed,
}

/// A public key that verifies signatures.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PublicKey {
    /// A 32-byte Ed25519 public key.
    Ed25519([u8; 32]),
    /// A P-256 public key as an uncompressed SEC1 point (`04‖X‖Y`, 65 bytes).
    P256(Vec<u8>),
    /// An RSA public key as PKCS#1 `RSAPublicKey` DER (verify only, PS256).
    Rsa(Vec<u8>),
}

impl PublicKey {
    /// Verifies `sig` over `msg` with algorithm `alg`.
    ///
    /// # Errors
    /// [`SignatureError::AlgKeyMismatch`] if `alg` is not this key's algorithm;
    /// [`SignatureError::BadSignature`] if the signature fails.
    pub fn verify(&self, alg: Alg, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        let (algorithm, key): (&dyn signature::VerificationAlgorithm, &[u8]) = match (alg, self) {
            (Alg::EdDsa, Self::Ed25519(k)) => (&signature::ED25519, k),
            (Alg::Es256, Self::P256(k)) => (&signature::ECDSA_P256_SHA256_FIXED, k),
            (Alg::Ps256, Self::Rsa(k)) => (&signature::RSA_PSS_2048_8192_SHA256, k),
            _ => return Err(SignatureError::AlgKeyMismatch { alg }),
        };
        signature::UnparsedPublicKey::new(algorithm, key)
            .verify(msg, sig)
            .map_err(|_| SignatureError::BadSignature)
    }

    /// Verifies an ECDSA P-256/SHA-256 signature in ASN.1 DER form, as X.509 and the
    /// Wycheproof DER files carry it (COSE ES256 is `r‖s`: use [`PublicKey::verify`]).
    ///
    /// # Errors
    /// [`SignatureError::AlgKeyMismatch`] unless this is a P-256 key;
    /// [`SignatureError::BadSignature`] if the signature fails or is not strict DER.
    pub fn verify_es256_der(&self, msg: &[u8], sig: &[u8]) -> Result<(), SignatureError> {
        let Self::P256(k) = self else {
            return Err(SignatureError::AlgKeyMismatch { alg: Alg::Es256 });
        };
        signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, k)
            .verify(msg, sig)
            .map_err(|_| SignatureError::BadSignature)
    }

    /// The algorithm this key signs with.
    pub const fn alg(&self) -> Alg {
        match self {
            Self::Ed25519(_) => Alg::EdDsa,
            Self::P256(_) => Alg::Es256,
            Self::Rsa(_) => Alg::Ps256,
        }
    }

    /// The raw key bytes (Ed25519: 32 bytes; P-256: SEC1 point; RSA: PKCS#1 DER).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Ed25519(k) => k,
            Self::P256(k) | Self::Rsa(k) => k,
        }
    }
}

/// Something that signs messages: a key held by the caller.
pub trait Signer {
    /// The algorithm the signatures are made with.
    fn alg(&self) -> Alg;
    /// The matching public key.
    fn public_key(&self) -> PublicKey;
    /// Signs `msg`.
    ///
    /// # Errors
    /// If the underlying primitive fails.
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignatureError>;
}

/// An Ed25519 signing key (deterministic signatures).
#[derive(Debug)]
pub struct Ed25519Signer {
    pair: signature::Ed25519KeyPair,
    seed: [u8; 32],
}

impl Ed25519Signer {
    /// The key whose 32-byte secret seed is `seed` (RFC 8032 §5.1.5).
    ///
    /// # Errors
    /// Never for 32 bytes; kept fallible because `ring` is.
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self, SignatureError> {
        let pair = signature::Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|_| SignatureError::BadKey)?;
        Ok(Self { pair, seed: *seed })
    }

    /// The secret seed (for key files; handle with care).
    pub fn seed(&self) -> &[u8; 32] {
        &self.seed
    }

    /// The 32-byte public key.
    pub fn public_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(self.pair.public_key().as_ref());
        out
    }
}

impl Signer for Ed25519Signer {
    fn alg(&self) -> Alg {
        Alg::EdDsa
    }
    fn public_key(&self) -> PublicKey {
        PublicKey::Ed25519(self.public_bytes())
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignatureError> {
        Ok(self.pair.sign(msg).as_ref().to_vec())
    }
}

/// An ES256 signing key. ECDSA needs fresh randomness per signature, so the caller's
/// random source is held here (the protocol crate never picks one itself).
pub struct Es256Signer<'r> {
    pair: signature::EcdsaKeyPair,
    rng: &'r dyn ring::rand::SecureRandom,
}

impl std::fmt::Debug for Es256Signer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Es256Signer")
            .field("public", &self.pair.public_key())
            .finish()
    }
}

impl<'r> Es256Signer<'r> {
    /// The key in PKCS#8 DER form, using `rng` for signatures.
    ///
    /// # Errors
    /// If the PKCS#8 document is not a P-256 key.
    pub fn from_pkcs8(
        pkcs8: &[u8],
        rng: &'r dyn ring::rand::SecureRandom,
    ) -> Result<Self, SignatureError> {
        let pair = signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8,
            rng,
        )
        .map_err(|_| SignatureError::BadKey)?;
        Ok(Self { pair, rng })
    }

    /// The key from its private scalar and public point (`04‖X‖Y`).
    ///
    /// # Errors
    /// If the scalar and point do not form a P-256 key pair.
    pub fn from_private_key_and_public_key(
        private: &[u8],
        public: &[u8],
        rng: &'r dyn ring::rand::SecureRandom,
    ) -> Result<Self, SignatureError> {
        let pair = signature::EcdsaKeyPair::from_private_key_and_public_key(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            private,
            public,
            rng,
        )
        .map_err(|_| SignatureError::BadKey)?;
        Ok(Self { pair, rng })
    }
}

impl Signer for Es256Signer<'_> {
    fn alg(&self) -> Alg {
        Alg::Es256
    }
    fn public_key(&self) -> PublicKey {
        PublicKey::P256(self.pair.public_key().as_ref().to_vec())
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, SignatureError> {
        self.pair
            .sign(self.rng, msg)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| SignatureError::SigningFailed)
    }
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ed25519_sign_verify_and_mismatch() {
        let s = Ed25519Signer::from_seed(&[7u8; 32]).unwrap();
        let sig = s.sign(b"hcx").unwrap();
        let pk = s.public_key();
        pk.verify(Alg::EdDsa, b"hcx", &sig).unwrap();
        assert_eq!(
            pk.verify(Alg::EdDsa, b"hcy", &sig),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            pk.verify(Alg::Es256, b"hcx", &sig),
            Err(SignatureError::AlgKeyMismatch { alg: Alg::Es256 })
        );
    }

    #[test]
    fn es256_sign_verify() {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &rng,
        )
        .unwrap();
        let s = Es256Signer::from_pkcs8(pkcs8.as_ref(), &rng).unwrap();
        let sig = s.sign(b"m").unwrap();
        assert_eq!(sig.len(), 64);
        s.public_key().verify(Alg::Es256, b"m", &sig).unwrap();
    }
}
