//! # hcx-protocol
//!
//! The hcx wire format as pure code: canonical CBOR ([`cbor`]), signature keys
//! ([`sign`]), the COSE_Sign1 envelope in its hcx and EU DCC profiles ([`cose`]), base45
//! and the holder QR text ([`base45`], [`qr`]), every federation message ([`wire`]), the
//! holder binding and identity documents ([`binding`], [`identity`]), encrypted notice
//! reasons ([`seal`]), Merkle log maths ([`merkle`]), C2SP signed notes, checkpoints and
//! cosignatures ([`note`]), the witness state machine ([`witness`]) and offline code
//! verification ([`verify`]).
//!
//! **What this crate does not do:** no I/O, no clock, no threads, no randomness of its
//! own. Time (`now`, Unix seconds), keys and random bytes are arguments. Every decoder is
//! total: hostile input yields a typed error, never a panic and never partial state.
//! The normative description of the wire is `protocol/SPEC.md`.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]
#![warn(missing_docs)]

pub mod base45;
pub mod binding;
pub mod cbor;
pub mod cose;
pub mod identity;
pub mod merkle;
pub mod note;
pub mod qr;
pub mod seal;
pub mod sign;
pub mod verify;
pub mod wire;
pub mod witness;
