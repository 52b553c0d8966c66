//! Summaries computed from a token's events as of a block: proposal tallies, bond tranches, the
//! collateral behind a pool's shares, a T-REX token's compliance set-up.

use std::collections::BTreeMap;

use alloy::primitives::{Address, U256};

use crate::{AssetPosition, CorporateActionDetail, EventQuery, LinkKind, MemberKind, StateDb, StoreError};

/// The votes cast on one proposal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProposalTally {
    pub proposal_id: U256,
    pub against: U256,
    pub for_: U256,
    pub abstain: U256,
    pub voters: u64,
}

/// Where an ERC-3475 tranche stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrancheStatus {
    Outstanding,
    Matured,
    /// With the reason the issuer gave.
    Defaulted(String),
}

impl TrancheStatus {
    pub fn name(&self) -> &'static str {
        match self {
            TrancheStatus::Outstanding => "OUTSTANDING",
            TrancheStatus::Matured => "MATURED",
            TrancheStatus::Defaulted(_) => "DEFAULTED",
        }
    }
}

/// An ERC-3475 tranche (class and nonce) with bonds outstanding or a status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BondTranche {
    pub class_id: U256,
    pub nonce_id: U256,
    /// Outstanding: issued less redeemed.
    pub supply: U256,
    pub status: TrancheStatus,
}

/// A collateral pool as of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolSummary {
    /// The value of everything it holds, in its unit of account.
    pub total_value: U256,
    /// Shares outstanding.
    pub total_shares: U256,
    /// The value of 10^18 share units, rounded down; `None` without shares.
    pub share_value: Option<U256>,
    /// Holdings by asset, the underlying (address zero) first.
    pub assets: Vec<(Address, AssetPosition)>,
}

/// An ERC-3643 token's compliance set-up as of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComplianceSetup {
    /// The token's agents.
    pub agents: Vec<Address>,
    pub identity_registry: Address,
    pub identity_storage: Option<Address>,
    /// The identity registry's agents.
    pub registry_agents: Vec<Address>,
    /// The claim topics every investor must hold a claim of.
    pub claim_topics: Vec<U256>,
    /// The trusted claim issuers and the topics each is trusted for.
    pub trusted_issuers: Vec<(Address, Vec<U256>)>,
    pub compliance: Option<Address>,
    /// The modular compliance's modules.
    pub modules: Vec<Address>,
}

impl StateDb {
    /// The tally of every proposal voted on up to `block`, by proposal id. A vote's support is
    /// 0 against, 1 for, 2 abstain (OpenZeppelin Governor); other values count as voters only.
    pub fn proposal_tallies(&self, token: Address, block: u64) -> Result<Vec<ProposalTally>, StoreError> {
        let votes = self.votes_page(token, block, &EventQuery { first: usize::MAX, ..Default::default() }, |_| true)?;
        let mut tallies: BTreeMap<U256, ProposalTally> = BTreeMap::new();
        for (_, _, v) in votes.rows {
            let t = tallies
                .entry(v.proposal_id)
                .or_insert_with(|| ProposalTally { proposal_id: v.proposal_id, ..Default::default() });
            let slot = match v.support {
                0 => Some(&mut t.against),
                1 => Some(&mut t.for_),
                2 => Some(&mut t.abstain),
                _ => None,
            };
            if let Some(slot) = slot {
                *slot = slot.saturating_add(v.weight);
            }
            t.voters += 1;
        }
        Ok(tallies.into_values().collect())
    }

    /// The ERC-3475 tranches of `token` with bonds outstanding or a maturity or default, as of
    /// `block`, by class and nonce.
    pub fn bond_tranches(&self, token: Address, block: u64) -> Result<Vec<BondTranche>, StoreError> {
        let mut tranches: BTreeMap<(U256, U256), BondTranche> = BTreeMap::new();
        for (class_id, nonce_id, supply) in self.bond_positions(token, Address::ZERO, block)? {
            tranches.insert(
                (class_id, nonce_id),
                BondTranche { class_id, nonce_id, supply, status: TrancheStatus::Outstanding },
            );
        }
        let all = EventQuery { first: usize::MAX, ..Default::default() };
        for (_, _, a) in self.corporate_actions_page(token, block, &all, |_| true)?.rows {
            let (class_id, nonce_id, status) = match a.detail {
                CorporateActionDetail::Matured { class_id, nonce_id } => (class_id, nonce_id, TrancheStatus::Matured),
                CorporateActionDetail::Defaulted { class_id, nonce_id, reason } => {
                    (class_id, nonce_id, TrancheStatus::Defaulted(reason))
                }
                CorporateActionDetail::Snapshot
                | CorporateActionDetail::StockSplit { .. }
                | CorporateActionDetail::Buyback { .. } => continue,
            };
            tranches
                .entry((class_id, nonce_id))
                .or_insert(BondTranche { class_id, nonce_id, supply: U256::ZERO, status: TrancheStatus::Outstanding })
                .status = status;
        }
        Ok(tranches.into_values().collect())
    }

    /// What pool `token` holds and what a share is worth, as of `block`; `None` for a token
    /// without deposits or pool composition events.
    pub fn pool_summary(&self, token: Address, block: u64) -> Result<Option<PoolSummary>, StoreError> {
        let assets = self.pool_at(token, block)?;
        if assets.is_empty() {
            return Ok(None);
        }
        let total_value = assets.iter().fold(U256::ZERO, |s, (_, p)| s.saturating_add(p.value));
        let total_shares = self.token_at(token, block)?.total_supply;
        let unit = U256::from(10u64).pow(U256::from(18));
        let share_value = (!total_shares.is_zero()).then(|| total_value.saturating_mul(unit) / total_shares);
        Ok(Some(PoolSummary { total_value, total_shares, share_value, assets }))
    }

    /// The compliance set-up of T-REX token `token` as of `block`, from the events of its
    /// identity registry, the registry's storage and topic and issuer registries, and its
    /// compliance; `None` for a token without an identity registry.
    pub fn compliance_setup(&self, token: Address, block: u64) -> Result<Option<ComplianceSetup>, StoreError> {
        let Some(registry) = self.link_at(token, LinkKind::IdentityRegistry, block)? else { return Ok(None) };
        let addresses = |contract: Option<Address>, kind| -> Result<Vec<Address>, StoreError> {
            let Some(contract) = contract else { return Ok(Vec::new()) };
            Ok(self.members_at(contract, kind, block)?.into_iter().map(|(m, _)| Address::from_word(m)).collect())
        };
        let compliance = self.link_at(token, LinkKind::Compliance, block)?;
        let claim_topics = match self.link_at(registry, LinkKind::ClaimTopics, block)? {
            Some(r) => self
                .members_at(r, MemberKind::ClaimTopic, block)?
                .into_iter()
                .map(|(t, _)| U256::from_be_bytes(t.0))
                .collect(),
            None => Vec::new(),
        };
        let trusted_issuers = match self.link_at(registry, LinkKind::TrustedIssuers, block)? {
            Some(r) => self
                .members_at(r, MemberKind::TrustedIssuer, block)?
                .into_iter()
                .map(|(i, topics)| (Address::from_word(i), topics))
                .collect(),
            None => Vec::new(),
        };
        Ok(Some(ComplianceSetup {
            agents: addresses(Some(token), MemberKind::Agent)?,
            identity_registry: registry,
            identity_storage: self.link_at(registry, LinkKind::IdentityStorage, block)?,
            registry_agents: addresses(Some(registry), MemberKind::Agent)?,
            claim_topics,
            trusted_issuers,
            compliance,
            modules: addresses(compliance, MemberKind::Module)?,
        }))
    }
}
