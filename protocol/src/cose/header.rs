//! COSE header buckets: the exact hcx protected header `{1: alg, 4: kid}` (read and
//! written), and the lenient DCC reading of both buckets. Tags, the outer array and
//! signatures are `sign1.rs`'s business.

use super::{CoseError, MAX_KID_LEN, MIN_KID_LEN, Profile, label};
use crate::cbor::{Decoder, Encoder, Limits, MapBuilder, Mode, Value};
use crate::sign::Alg;

/// Bound on a protected header's size when read; a valid hcx header is at most 70 bytes.
const MAX_PROTECTED_BYTES: usize = 1024;

/// Checks the hcx kid length rule.
pub(super) fn check_kid(kid: &[u8]) -> Result<(), CoseError> {
    match kid.len() {
        len if len < MIN_KID_LEN => Err(CoseError::KidTooShort { len }),
        len if len > MAX_KID_LEN => Err(CoseError::KidTooLong { len }),
        _ => Ok(()),
    }
}

/// Reads an hcx protected header: canonical CBOR, exactly `{1: alg, 4: kid}`.
///
/// Because the decoder enforces canonical form (sorted unique keys, shortest heads), the
/// only bytes accepted for a given (alg, kid) are the ones [`encode_hcx_protected`] writes.
pub(super) fn parse_hcx_protected(bytes: &[u8]) -> Result<(Alg, &[u8]), CoseError> {
    if bytes.is_empty() {
        return Err(CoseError::MissingAlg);
    }
    let mut d = Decoder::new(bytes, Limits::message(MAX_PROTECTED_BYTES))?;
    let n = d.map().map_err(|_| CoseError::BadStructure {
        what: "protected header",
    })?;
    let mut alg = None;
    let mut kid = None;
    for _ in 0..n {
        let key = d.i64().map_err(|_| CoseError::BadStructure {
            what: "protected header label not an integer",
        })?;
        match key {
            label::ALG => {
                let id = d.i64().map_err(|_| CoseError::BadHeader { label: key })?;
                alg = Some(Profile::Hcx.alg(id)?);
            }
            label::CRIT => return Err(CoseError::UnknownCritical),
            label::KID => {
                let k = d.bytes().map_err(|_| CoseError::BadHeader { label: key })?;
                check_kid(k)?;
                kid = Some(k);
            }
            other => return Err(CoseError::UnexpectedHeader { label: other }),
        }
    }
    d.finish()?;
    let alg = alg.ok_or(CoseError::MissingAlg)?;
    let kid = kid.ok_or(CoseError::MissingKid)?;
    Ok((alg, kid))
}

/// Writes the canonical hcx protected header `{1: alg, 4: kid}`.
pub(super) fn encode_hcx_protected(alg: Alg, kid: &[u8]) -> Vec<u8> {
    let mut m = MapBuilder::new();
    m.entry_i64(label::ALG, |e| {
        e.i64(alg.cose_id());
    });
    m.entry_i64(label::KID, |e| {
        e.bytes(kid);
    });
    let mut e = Encoder::new();
    m.finish(&mut e);
    e.into_bytes()
}

/// The security-relevant parameters of a DCC-profile message.
#[derive(Debug)]
pub(super) struct DccHeaders {
    pub(super) alg: Alg,
    pub(super) kid: Option<Vec<u8>>,
}

/// Reads the protected bucket (bytes as received) and the unprotected map of a DCC
/// message. An empty protected bstr is the empty map (RFC 9052 §3).
pub(super) fn parse_dcc(
    protected: &[u8],
    unprotected: &Value,
    max_depth: usize,
) -> Result<DccHeaders, CoseError> {
    let prot = if protected.is_empty() {
        Value::Map(Vec::new())
    } else {
        let limits = Limits {
            max_bytes: protected.len(),
            max_depth,
        };
        Value::decode(protected, Mode::WellFormed, limits)?
    };
    let (Value::Map(p), Value::Map(u)) = (&prot, unprotected) else {
        return Err(CoseError::BadStructure {
            what: "header bucket is not a map",
        });
    };
    check_unique(p)?;
    check_unique(u)?;
    if prot.map_get_int(label::CRIT).is_some() {
        return Err(CoseError::UnknownCritical);
    }
    let alg_value = prot
        .map_get_int(label::ALG)
        .or_else(|| unprotected.map_get_int(label::ALG))
        .ok_or(CoseError::MissingAlg)?;
    let id = alg_value
        .as_i128()
        .and_then(|i| i64::try_from(i).ok())
        .ok_or(CoseError::BadHeader { label: label::ALG })?;
    let alg = Profile::Dcc.alg(id)?;
    let kid = match prot
        .map_get_int(label::KID)
        .or_else(|| unprotected.map_get_int(label::KID))
    {
        None => None,
        Some(Value::Bytes(k)) => Some(k.clone()),
        Some(_) => return Err(CoseError::BadHeader { label: label::KID }),
    };
    Ok(DccHeaders { alg, kid })
}

/// RFC 9052 §3: a label may not appear twice in one bucket.
fn check_unique(entries: &[(Value, Value)]) -> Result<(), CoseError> {
    for (i, (k, _)) in entries.iter().enumerate() {
        if entries.iter().skip(i + 1).any(|(other, _)| other == k) {
            let label = k
                .as_i128()
                .and_then(|l| i64::try_from(l).ok())
                .unwrap_or(i64::MIN);
            return Err(CoseError::DuplicateLabel { label });
        }
    }
    Ok(())
}
