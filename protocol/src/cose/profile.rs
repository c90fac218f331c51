//! The two readings of COSE_Sign1 and the rules that differ between them: which tags,
//! which algorithms. The parsing itself is in `sign1.rs` and `header.rs`.

use super::CoseError;
use crate::sign::Alg;

/// Which rules a COSE_Sign1 message is read under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// hcx's own envelope: tag 18, canonical CBOR, protected `{1: alg, 4: kid}` only,
    /// empty unprotected header, EdDSA or ES256.
    Hcx,
    /// Foreign messages (EU DCC, generic COSE examples): optional tags 18/61, well-formed
    /// CBOR, headers from either bucket (protected wins), ES256, PS256 or EdDSA.
    Dcc,
}

impl Profile {
    /// The algorithm for COSE id `id`, if this profile accepts it.
    ///
    /// # Errors
    /// [`CoseError::UnsupportedAlg`] for an unknown id, or PS256 under [`Profile::Hcx`].
    pub fn alg(self, id: i64) -> Result<Alg, CoseError> {
        match (self, Alg::from_cose_id(id)) {
            (Self::Hcx, Some(alg @ (Alg::EdDsa | Alg::Es256))) | (Self::Dcc, Some(alg)) => Ok(alg),
            _ => Err(CoseError::UnsupportedAlg { id }),
        }
    }

    /// Whether this profile may sign with `alg` (hcx: EdDSA and ES256; dcc: never, it is
    /// read-only).
    pub const fn can_sign(self, alg: Alg) -> bool {
        matches!((self, alg), (Self::Hcx, Alg::EdDsa | Alg::Es256))
    }
}
