//! T-REX registries as of a block: set members, links, investors' identities.

use alloy::primitives::{Address, B256, U256};

use crate::{tables::*, StateDb, StoreError};

impl StateDb {
    /// The members of `contract`'s set `kind` after `block` (addresses as words), in member
    /// order, each with the claim topics it carries (a trusted issuer's).
    pub fn members_at(
        &self,
        contract: Address,
        kind: MemberKind,
        block: u64,
    ) -> Result<Vec<(B256, Vec<U256>)>, StoreError> {
        let mut prefix = contract.to_vec();
        prefix.push(kind as u8);
        let rows = self.history_at::<MemberHistory, B256>(&prefix, block, |k| (k.member, k.block), |m| m.present)?;
        Ok(rows.into_iter().map(|(member, m)| (member, m.topics)).collect())
    }

    /// Where `contract`'s link of `kind` pointed after `block`.
    pub fn link_at(&self, contract: Address, kind: LinkKind, block: u64) -> Result<Option<Address>, StoreError> {
        // Contract (20 bytes) and kind (1) make a link.
        Ok(self.value_at::<LinkHistory>(&LinkBlockKey { contract, kind, block }, 21)?.filter(|a| !a.is_zero()))
    }

    /// The identity registry storage that held `token`'s investors' identities after `block`:
    /// the token's identity registry's storage then.
    pub fn identity_storage_at(&self, token: Address, block: u64) -> Result<Option<Address>, StoreError> {
        match self.link_at(token, LinkKind::IdentityRegistry, block)? {
            Some(registry) => self.link_at(registry, LinkKind::IdentityStorage, block),
            None => Ok(None),
        }
    }

    /// `holder`'s identity and country in `token`'s identity registry after `block`, if any.
    pub fn identity_at(
        &self,
        token: Address,
        holder: Address,
        block: u64,
    ) -> Result<Option<IdentityRecord>, StoreError> {
        let Some(storage) = self.identity_storage_at(token, block)? else { return Ok(None) };
        Ok(self.holder_value_at::<IdentityHistory>(storage, holder, block)?.filter(|r| !r.identity.is_zero()))
    }

    /// Every registered investor's identity in `token`'s identity registry after `block`.
    pub fn identity_register(
        &self,
        token: Address,
        block: u64,
    ) -> Result<std::collections::BTreeMap<Address, IdentityRecord>, StoreError> {
        let Some(storage) = self.identity_storage_at(token, block)? else { return Ok(Default::default()) };
        let rows = self.history_at::<IdentityHistory, _>(
            storage.as_slice(),
            block,
            |k| (k.holder, k.block),
            |r| !r.identity.is_zero(),
        )?;
        Ok(rows.into_iter().collect())
    }
}
