//! The pure account rules of Guangxi art. 20, as functions of plain values (no store):
//! who may open which account where, who may review an opening, who may manage
//! (delete) an account. The store-backed operations in `super::ops` call these.
//!
//! Opening (the creator's jurisdiction must cover the new one, equal or longer prefix):
//!
//! | creator | may open |
//! |---|---|
//! | admin level n (1–4) | admin level n+1 |
//! | admin, any level | grid admin (at its own level: inside its jurisdiction) |
//! | admin level 1 | evidence source, auditor |
//! | admin, any level; grid admin | access terminal (gates are deployed locally) |
//! | grid admin | collector |
//!
//! Evidence sources and auditors are level-1 only: an evidence source is the second
//! party of every transcode, so a lower admin must not be able to mint one. Holders are
//! not opened by staff; they self-register ([`super::open_holder_account`]).
//!
//! Review: a new account stays pending until an *eligible reviewer* approves it: an
//! active staff account other than the creator and the account itself, whose rank is
//! at or above the creator's (admin level n has rank n, a grid admin rank 6, so "the
//! creator's superior or another admin of the creator's level"), and whose jurisdiction
//! covers the new account's. A level-1 creator has no superior: another level-1 admin
//! reviews, so `hcx init` should bootstrap at least two level-1 admins.
//!
//! Management (deletion): the account's creator or any account above it in the
//! creation tree (`created_by` chain), never the account itself.

use hcx_protocol::wire::{Jurisdiction, Role};

use super::{Account, AccountError, PrincipalKind};

/// Longest label, in bytes.
pub const MAX_LABEL: usize = 64;

/// The review rank of a role: admin level n → n, grid admin → 6; other roles never
/// review.
pub const fn rank(role: Role) -> Option<u8> {
    match role {
        Role::Admin(n) => Some(n),
        Role::Grid => Some(6),
        _ => None,
    }
}

/// Whether `creator` (a staff role with jurisdiction) may open a `requested` account in
/// `jurisdiction`.
///
/// # Errors
/// [`AccountError::RoleNotPermitted`] or [`AccountError::OutsideJurisdiction`].
pub fn may_open(
    creator: PrincipalKind,
    creator_jurisdiction: &Jurisdiction,
    requested: Role,
    jurisdiction: &Jurisdiction,
) -> Result<(), AccountError> {
    let PrincipalKind::Staff(role) = creator else {
        return Err(AccountError::RoleNotPermitted {
            actor: creator,
            requested,
        });
    };
    let allowed = match (role, requested) {
        (Role::Admin(n), Role::Admin(m)) => (1..=4).contains(&n) && m == n + 1,
        (Role::Admin(_), Role::Grid | Role::Terminal) => true,
        (Role::Admin(1), Role::EvidenceSource | Role::Auditor) => true,
        (Role::Grid, Role::Collector | Role::Terminal) => true,
        _ => false,
    };
    if !allowed {
        return Err(AccountError::RoleNotPermitted {
            actor: creator,
            requested,
        });
    }
    if !creator_jurisdiction.covers(jurisdiction) {
        return Err(AccountError::outside(creator_jurisdiction, jurisdiction));
    }
    Ok(())
}

/// Whether a role must register its own signing key.
pub const fn needs_key(role: Role) -> bool {
    matches!(role, Role::Admin(_) | Role::EvidenceSource)
}

/// Whether `reviewer` may review the opening of `account` (created by `creator`).
/// Checks roles, ranks and jurisdictions; the caller checks states and identities.
pub fn may_review(reviewer: &Account, creator: &Account, account: &Account) -> bool {
    let (Some(rr), Some(cr)) = (
        reviewer.role().and_then(rank),
        creator.role().and_then(rank),
    ) else {
        return false;
    };
    reviewer.id != creator.id
        && reviewer.id != account.id
        && rr <= cr
        && reviewer.jurisdiction.covers(&account.jurisdiction)
}

/// Checks a label: 1 to [`MAX_LABEL`] bytes, no control characters.
///
/// # Errors
/// [`AccountError::BadLabel`].
pub fn check_label(label: &str) -> Result<(), AccountError> {
    if label.is_empty() || label.len() > MAX_LABEL || label.chars().any(char::is_control) {
        return Err(AccountError::BadLabel { max: MAX_LABEL });
    }
    Ok(())
}
