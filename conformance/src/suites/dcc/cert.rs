//! The document signer certificate of a DCC test file (`TESTCTX.CERTIFICATE`, base64
//! DER), read with `x509-parser`: its key in the form `hcx_protocol::sign::PublicKey`
//! takes, the DCC key id, the validity window and the DCC extended key usages.

use hcx_protocol::sign::{PublicKey, sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

/// id-ecPublicKey (RFC 5480).
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// prime256v1 / secp256r1 (RFC 5480).
const OID_P256: &str = "1.2.840.10045.3.1.7";
/// rsaEncryption (RFC 8017).
const OID_RSA: &str = "1.2.840.113549.1.1.1";
/// id-RSASSA-PSS (RFC 4055); its key is also PKCS#1 `RSAPublicKey`.
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";

/// The DCC EKU OIDs (hcert spec §5.1.2), both the registered and the older arc, with the
/// certificate type each allows.
const DCC_EKUS: &[(&str, char)] = &[
    ("1.3.6.1.4.1.1847.2021.1.1", 't'),
    ("1.3.6.1.4.1.1847.2021.1.2", 'v'),
    ("1.3.6.1.4.1.1847.2021.1.3", 'r'),
    ("1.3.6.1.4.1.0.1847.2021.1.1", 't'),
    ("1.3.6.1.4.1.0.1847.2021.1.2", 'v'),
    ("1.3.6.1.4.1.0.1847.2021.1.3", 'r'),
];

/// What the checks need from a certificate.
#[derive(Debug)]
pub(crate) struct Dsc {
    /// The key, if it is P-256 or RSA (anything else, e.g. P-384, is `Err` with a name).
    pub(crate) key: Result<PublicKey, String>,
    /// `SHA-256(DER)[0..8]`, the DCC key id.
    pub(crate) kid: Vec<u8>,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
    /// The certificate types its DCC EKUs allow, or `None` if it has no DCC EKU (then it
    /// is valid for every type).
    pub(crate) dcc_types: Option<Vec<char>>,
}

/// Reads a DER certificate.
pub(crate) fn parse(der: &[u8]) -> Result<Dsc, String> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| format!("certificate: {e}"))?;
    let spki = cert.public_key();
    let alg = spki.algorithm.algorithm.to_id_string();
    let curve = spki
        .algorithm
        .parameters
        .clone()
        .and_then(|p| x509_parser::der_parser::oid::Oid::try_from(p).ok())
        .map(|o| o.to_id_string());
    let bits = spki.subject_public_key.data.to_vec();
    let key = match (alg.as_str(), curve.as_deref()) {
        (OID_EC_PUBLIC_KEY, Some(OID_P256)) => Ok(PublicKey::P256(bits)),
        (OID_RSA | OID_RSA_PSS, _) => Ok(PublicKey::Rsa(bits)),
        (a, c) => Err(format!(
            "key algorithm {a} (curve {c:?}) is not P-256 or RSA"
        )),
    };
    let kid = sha256(der).get(..8).map(<[u8]>::to_vec).unwrap_or_default();
    let validity = cert.validity();
    let dcc_types = match cert.extended_key_usage() {
        Ok(Some(eku)) => {
            let oids: Vec<String> = eku.value.other.iter().map(|o| o.to_id_string()).collect();
            let types: Vec<char> = DCC_EKUS
                .iter()
                .filter(|(oid, _)| oids.iter().any(|o| o == oid))
                .map(|(_, t)| *t)
                .collect();
            (!types.is_empty()).then_some(types)
        }
        Ok(None) => None,
        Err(e) => return Err(format!("extended key usage: {e}")),
    };
    Ok(Dsc {
        key,
        kid,
        not_before: validity.not_before.timestamp(),
        not_after: validity.not_after.timestamp(),
        dcc_types,
    })
}
