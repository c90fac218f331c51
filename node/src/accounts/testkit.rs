//! Test fixtures shared by the account and authz tests: a real sled store in a temp
//! dir, deterministic account keys, and a small region (two bootstrapped level-1
//! admins) with helpers to open and activate accounts through the real operations.

use hcx_protocol::sign::{Ed25519Signer, PublicKey, Signer};
use hcx_protocol::wire::{Jurisdiction, KeyId, Role};
use ring::rand::SystemRandom;

use super::{
    Account, OpenRequest, Principal, ReviewDecision, bootstrap_admin, open_account, review_account,
};
use crate::store::{Batch, SledStore, Store};

/// Start time of every fixture (2022-06-14, Shanghai noon-ish).
pub(crate) const T0: u64 = 1_655_179_200;

pub(crate) fn j(s: &str) -> Jurisdiction {
    Jurisdiction::new(s).unwrap()
}

/// A deterministic Ed25519 key.
pub(crate) fn signer(seed: u8) -> Ed25519Signer {
    Ed25519Signer::from_seed(&[seed; 32]).unwrap()
}

pub(crate) fn pk(s: &Ed25519Signer) -> PublicKey {
    s.public_key()
}

pub(crate) fn kid(s: &Ed25519Signer) -> KeyId {
    KeyId::derive(&s.public_bytes())
}

pub(crate) fn commit(store: &dyn Store, batch: Batch) {
    store.commit(batch).unwrap();
}

/// A region: a store with two active level-1 admins over `33`.
#[derive(Debug)]
pub(crate) struct Region {
    pub dir: tempfile::TempDir,
    pub store: SledStore,
    pub rng: SystemRandom,
    pub l1a: Member,
    pub l1b: Member,
    next_seed: u8,
}

/// An account with its token and signing key.
#[derive(Debug)]
pub(crate) struct Member {
    pub account: Account,
    pub token: String,
    pub key: Ed25519Signer,
}

impl Member {
    pub(crate) fn p(&self) -> Principal {
        self.account.principal()
    }
}

impl Region {
    pub(crate) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path().join("store")).unwrap();
        let rng = SystemRandom::new();
        let boot = |seed: u8, label: &str| {
            let key = signer(seed);
            let o = bootstrap_admin(&store, j("33"), pk(&key), label, T0, &rng).unwrap();
            commit(&store, o.batch);
            Member {
                account: o.account,
                token: o.token,
                key,
            }
        };
        let l1a = boot(1, "province admin A");
        let l1b = boot(2, "province admin B");
        Self {
            dir,
            store,
            rng,
            l1a,
            l1b,
            next_seed: 10,
        }
    }

    pub(crate) fn fresh_key(&mut self) -> Ed25519Signer {
        self.next_seed += 1;
        signer(self.next_seed)
    }

    /// Opens an account (by `creator`) and leaves it pending.
    pub(crate) fn open_pending(&mut self, creator: &Principal, role: Role, jur: &str) -> Member {
        let key = self.fresh_key();
        let o = open_account(
            &self.store,
            creator,
            OpenRequest {
                role,
                jurisdiction: j(jur),
                public_key: Some(pk(&key)),
                label: format!("{role:?} {jur}"),
            },
            T0,
            &self.rng,
        )
        .unwrap();
        commit(&self.store, o.batch);
        Member {
            account: o.account,
            token: o.token,
            key,
        }
    }

    /// Opens an account (by `creator`) and has `reviewer` approve it.
    pub(crate) fn open_active(
        &mut self,
        creator: &Principal,
        reviewer: &Principal,
        role: Role,
        jur: &str,
    ) -> Member {
        let mut m = self.open_pending(creator, role, jur);
        let c = review_account(
            &self.store,
            reviewer,
            &m.account.id,
            ReviewDecision::Approve,
            T0,
        )
        .unwrap();
        commit(&self.store, c.batch);
        m.account = c.accounts.into_iter().next().unwrap();
        m
    }
}
