//! Accounts and roles (Guangxi art. 20): admins at levels 1–5 with a jurisdiction, grid
//! admins, collectors, auditors, access terminals, evidence sources, and holders who sign
//! in with the token they got at registration. This file holds the shared types every
//! other module uses to ask "who is calling"; the account store, opening, review,
//! deletion and token handling live beside it.

use hcx_protocol::wire::{Jurisdiction, Role};

/// An account's stable id (opaque text, never personal data).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub String);

/// What kind of principal an authenticated token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// A staff, device or feed account with a wire role.
    Staff(Role),
    /// A holder (traveller) account.
    Holder,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account.
    pub account: AccountId,
    /// Its kind and role.
    pub kind: PrincipalKind,
    /// The division-code prefix it acts in (a holder's is their region).
    pub jurisdiction: Jurisdiction,
}
