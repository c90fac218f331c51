//! Bearer tokens: 32 random bytes from the caller's `SecureRandom`, shown once as
//! `hcx_` ‖ base64url (no padding, 43 characters), and stored only as SHA-256 of the 32
//! bytes (`Tree::Tokens`: hash → account id). A stolen store therefore yields no usable
//! token. [`authenticate`] turns a presented token into a [`Principal`].
//!
//! Not here: rate limits and the `Authorization` header (`crate::api`), recording the
//! last use ([`super::touch_batch`]).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SecureRandom;

use super::record::load_account;
use super::{AccountError, AccountId, AccountState, AuthError, Principal};
use crate::store::{Store, Tree};

/// The text every hcx token starts with.
pub const TOKEN_PREFIX: &str = "hcx_";
/// Random bytes in a token.
pub const TOKEN_BYTES: usize = 32;

/// A new token: its text (to show once) and its hash (to store).
pub(crate) fn new_token(rng: &dyn SecureRandom) -> Result<(String, [u8; 32]), AccountError> {
    let mut raw = [0u8; TOKEN_BYTES];
    rng.fill(&mut raw).map_err(|_| AccountError::Random)?;
    let text = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(raw));
    Ok((text, hcx_protocol::sign::sha256(&raw)))
}

/// The stored hash of a token's text, or `None` if it is not an hcx token.
pub fn hash_token(token: &str) -> Option<[u8; 32]> {
    let body = token.strip_prefix(TOKEN_PREFIX)?;
    let raw = URL_SAFE_NO_PAD.decode(body).ok()?;
    (raw.len() == TOKEN_BYTES).then(|| hcx_protocol::sign::sha256(&raw))
}

/// The principal a token belongs to. Read-only: it writes nothing (record the use with
/// [`super::touch_batch`] in the batch of a successful request).
///
/// # Errors
/// [`AuthError::Malformed`], [`AuthError::Unknown`], [`AuthError::Pending`],
/// [`AuthError::Deleted`], or a store failure.
pub fn authenticate(store: &dyn Store, token: &str) -> Result<Principal, AuthError> {
    let hash = hash_token(token).ok_or(AuthError::Malformed)?;
    let id = store.get(Tree::Tokens, &hash)?.ok_or(AuthError::Unknown)?;
    let id = AccountId(String::from_utf8(id).map_err(|_| AccountError::Corrupt {
        tree: Tree::Tokens,
        detail: "token index holds a non-UTF-8 account id".into(),
    })?);
    let account = load_account(store, &id)?.ok_or(AuthError::Unknown)?;
    // A rotated-out token still maps to the account in an old index entry only if a
    // write was lost; the record's own hash is the authority.
    if account.token_hash != hash {
        return Err(AuthError::Unknown);
    }
    match account.state {
        AccountState::Active => Ok(account.principal()),
        AccountState::PendingReview => Err(AuthError::Pending),
        AccountState::Deleted => Err(AuthError::Deleted),
    }
}
