//! The admin roster (`wire::AdminRoster`) built from the accounts: every admin, grid
//! admin and evidence source with a registered key that is or was active (a deleted
//! account stays listed with `disabled_at`, so old approvals and evidence remain
//! checkable and a withdrawn approver is visible). The operational key signs it and the
//! node publishes it, so every member sees each minted approver and who created it.
//!
//! Not here: signing and publishing (the node), the key-id index (`crate::accounts`).

use hcx_protocol::wire::{AdminRoster, KeyRecord, MAX_ROSTER_ENTRIES, Region, RosterEntry};

use super::AuthzError;
use crate::accounts::record::{KID_PREFIX, in_roster, roster_version};
use crate::accounts::{AccountId, AccountState, load_account};
use crate::store::{Store, Tree};

/// The current roster of `region`, at the stored roster version.
///
/// # Errors
/// Store failure, corrupt records, or more entries than the wire allows.
pub fn build_roster(store: &dyn Store, region: Region) -> Result<AdminRoster, AuthzError> {
    let version = roster_version(store)?;
    let mut entries = Vec::new();
    let mut after: Option<Vec<u8>> = None;
    loop {
        let page = store.scan(Tree::Roster, KID_PREFIX, after.as_deref(), 512)?;
        let Some((last, _)) = page.last() else { break };
        after = Some(last.clone());
        for (_, id) in page {
            let id = AccountId(String::from_utf8(id).map_err(|_| AuthzError::Corrupt {
                tree: Tree::Roster,
                detail: "key index holds a non-UTF-8 account id".into(),
            })?);
            let Some(a) = load_account(store, &id)? else {
                continue;
            };
            let was_active = a.state == AccountState::Active
                || (a.state == AccountState::Deleted && a.activated_at.is_some());
            let (Some(key), Some(role), true, true) =
                (&a.public_key, a.role(), in_roster(&a), was_active)
            else {
                continue;
            };
            let created_by = match &a.created_by {
                Some(c) => load_account(store, c)?.and_then(|c| c.kid()),
                None => None,
            };
            let record = KeyRecord::of(key);
            entries.push(RosterEntry {
                kid: record.key_id(),
                key: record,
                role,
                jurisdiction: a.jurisdiction.clone(),
                created_by,
                created_at: a.created_at,
                disabled_at: a.deleted_at,
            });
        }
    }
    if entries.len() > MAX_ROSTER_ENTRIES {
        return Err(AuthzError::RosterTooLarge {
            count: entries.len(),
            max: MAX_ROSTER_ENTRIES,
        });
    }
    entries.sort_by(|a, b| a.kid.cmp(&b.kid));
    Ok(AdminRoster {
        region,
        version,
        entries,
    })
}
