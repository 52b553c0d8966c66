//! T-REX suites: links between a token and its registries, investors' identities.

use alloy::primitives::{Address, B256, U256};
use registrar_schemas::AdminAction;
use rocksdb::{Direction, IteratorMode};

use super::*;
use crate::{codec::Codec, db::decode, tables::*, StoreError};

impl Tx<'_> {
    /// A T-REX contract's set or link changed: agents, modules, claim topics and trusted issuers
    /// go to the member history, registries and compliance to the links ([`AdminAction::link`]).
    /// Every action is named: a new one does not compile until it is placed here.
    pub(super) fn admin(
        &mut self,
        token: Address,
        action: AdminAction,
        subject: Address,
        values: &[U256],
        block: u64,
    ) -> Result<(), StoreError> {
        use AdminAction as A;
        let word = subject.into_word();
        let member = match action {
            A::AgentAdded => Some((MemberKind::Agent, word, true, vec![])),
            A::AgentRemoved => Some((MemberKind::Agent, word, false, vec![])),
            A::ModuleAdded => Some((MemberKind::Module, word, true, vec![])),
            A::ModuleRemoved => Some((MemberKind::Module, word, false, vec![])),
            A::ClaimTopicAdded | A::ClaimTopicRemoved => {
                values.first().map(|t| (MemberKind::ClaimTopic, B256::from(*t), action == A::ClaimTopicAdded, vec![]))
            }
            A::TrustedIssuerAdded | A::ClaimTopicsUpdated => {
                Some((MemberKind::TrustedIssuer, word, true, values.to_vec()))
            }
            A::TrustedIssuerRemoved => Some((MemberKind::TrustedIssuer, word, false, vec![])),
            A::DsRoleAdded => Some((MemberKind::Role, word, true, values.iter().take(1).copied().collect())),
            A::DsRoleRemoved => Some((MemberKind::Role, word, false, vec![])),
            A::DsSpecialWalletAdded => {
                Some((MemberKind::SpecialWallet, word, true, values.iter().take(1).copied().collect()))
            }
            A::DsSpecialWalletRemoved => Some((MemberKind::SpecialWallet, word, false, vec![])),
            A::St20ModuleAdded | A::St20ModuleUnarchived => Some((MemberKind::Module, word, true, values.to_vec())),
            A::St20ModuleRemoved | A::St20ModuleArchived => Some((MemberKind::Module, word, false, vec![])),
            A::ControllerSet => Some((MemberKind::Controller, word, true, vec![])),
            // Kept in the log and the audit trail; no set of the state changes.
            A::OwnershipTransferred
            | A::Initialized
            | A::IdentityRegistryAdded
            | A::ComplianceAdded
            | A::IdentityStorageSet
            | A::ClaimTopicsRegistrySet
            | A::TrustedIssuersRegistrySet
            | A::IdentityRegistryBound
            | A::IdentityRegistryUnbound
            | A::TokenBound
            | A::TokenUnbound
            | A::ModuleInteraction
            | A::ContractDeployed
            | A::ImplementationAuthoritySet
            | A::IdFactorySet
            | A::DsServiceSet
            | A::DsWalletAdded
            | A::DsWalletRemoved
            | A::DsTxShares
            | A::ControllerDisabled => None,
        };
        if let Some((kind, member, present, topics)) = member {
            let key = MemberBlockKey { contract: token, kind, member, block };
            self.put::<MemberHistory>(&key, &Membership { present, topics })?;
        }
        if action == A::ControllerSet {
            // The previous controller is one no more.
            if let Some(previous) = values.first().map(|v| Address::from_word(B256::from(*v))) {
                if !previous.is_zero() && previous != subject {
                    let key = MemberBlockKey {
                        contract: token,
                        kind: MemberKind::Controller,
                        member: previous.into_word(),
                        block,
                    };
                    self.put::<MemberHistory>(&key, &Membership { present: false, topics: vec![] })?;
                }
            }
        }
        if let Some(link) = action.link(values) {
            self.set_link(token, link.into(), subject, block)?;
        }
        Ok(())
    }

    /// Points `contract`'s link of `kind` at `target` from `block` on.
    pub(super) fn set_link(
        &mut self,
        contract: Address,
        kind: LinkKind,
        target: Address,
        block: u64,
    ) -> Result<(), StoreError> {
        let key = LinkKey { contract, kind };
        if self.get::<Links>(&key)? == Some(target) {
            return Ok(());
        }
        self.put::<Links>(&key, &target)?;
        self.put::<LinkHistory>(&LinkBlockKey { contract, kind, block }, &target)
    }

    /// Changes `investor`'s identity record in identity registry storage `storage`.
    pub(super) fn set_identity(
        &mut self,
        storage: Address,
        investor: Address,
        block: u64,
        change: impl FnOnce(IdentityRecord) -> IdentityRecord,
    ) -> Result<(), StoreError> {
        let key = HolderKey { token: storage, holder: investor };
        let old = self.get::<Identities>(&key)?.unwrap_or_default();
        let new = change(old);
        if new == old {
            return Ok(());
        }
        if new.identity.is_zero() && new.country == 0 {
            self.delete::<Identities>(&key)?;
        } else {
            self.put::<Identities>(&key, &new)?;
        }
        self.put::<IdentityHistory>(&HolderBlockKey { token: storage, holder: investor, block }, &new)
    }

    /// The wallets whose identity in `storage` is `identity`, this batch's writes included.
    pub(super) fn wallets_of(&self, storage: Address, identity: Address) -> Result<Vec<Address>, StoreError> {
        let mut found: std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>> = Default::default();
        let prefix = storage.to_vec();
        let cf = self.db.cf::<Identities>();
        for item in self.db.db.iterator_cf(cf, IteratorMode::From(&prefix, Direction::Forward)) {
            let (k, v) = item?;
            if !k.starts_with(&prefix) {
                break;
            }
            found.insert(k.to_vec(), Some(v.to_vec()));
        }
        for ((table, k), v) in &self.overlay {
            if *table == Identities::ID && k.starts_with(&prefix) {
                found.insert(k.clone(), v.clone());
            }
        }
        let mut out = Vec::new();
        for (k, v) in found {
            let Some(v) = v else { continue };
            if decode::<Identities>(&v)?.identity == identity {
                out.push(HolderKey::decode(&k).map_err(crate::db::corrupt::<Identities>)?.holder);
            }
        }
        Ok(out)
    }
}
