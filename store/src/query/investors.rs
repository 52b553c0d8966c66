//! Investor registers as of a block: who the investors of a token are (a DS registry's
//! investors, a T-REX identity's wallets, or each wallet on its own), their wallets and
//! balances, DS locks, ST-20 whitelists and DS compliance rules.

use std::collections::BTreeMap;

use alloy::primitives::{Address, B256, U256};

use super::*;
use crate::{tables::*, StateDb, StoreError};

/// How a token's investors are told apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvestorSource {
    /// A DS registry service: investors by id, each with its wallets.
    DsRegistry(Address),
    /// A T-REX identity registry storage: investors by ONCHAINID, each with its wallets.
    IdentityStorage(Address),
    /// Nothing groups wallets: each wallet is an investor (ERC-20, ST-20 whitelists).
    Wallets,
}

impl InvestorSource {
    pub fn name(self) -> &'static str {
        match self {
            InvestorSource::DsRegistry(_) => "DS_REGISTRY",
            InvestorSource::IdentityStorage(_) => "ONCHAINID",
            InvestorSource::Wallets => "WALLET",
        }
    }
}

/// One investor of a token as of a block, with the wallets that hold its tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvestorRow {
    /// The DS investor id, the ONCHAINID address, or the wallet address (checksummed).
    pub id: String,
    pub country: String,
    /// The sum of its wallets' balances.
    pub balance: U256,
    /// Its wallets with a balance or a frozen state, by address.
    pub wallets: Vec<HolderRow>,
    /// The DS registry's record, for DS investors.
    pub record: Option<InvestorRecord>,
}

/// Investors by country as of a block: how many hold the token, and how much.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CountryCount {
    pub country: String,
    pub investors: u64,
    pub balance: U256,
}

/// ISO 3166-1 numeric codes as text (T-REX keeps countries as numbers); unknown: empty.
fn numeric_country(code: u16) -> String {
    if code == 0 {
        String::new()
    } else {
        code.to_string()
    }
}

impl StateDb {
    /// The newest row of a (contract, subject, block) history table at or before `block`.
    fn subject_value_at<T: Table<Key = SubjectBlockKey>>(
        &self,
        contract: Address,
        subject: B256,
        block: u64,
    ) -> Result<Option<T::Value>, StoreError> {
        // Contract (20 bytes) and subject (32) make a subject.
        self.value_at::<T>(&SubjectBlockKey { contract, subject, block }, 52)
    }

    /// The time of the newest block at or before `block` that holds events of a watched
    /// contract: what the state after `block` knows of the clock (a lock's release, a whitelist's
    /// times are compared with it).
    pub fn time_at(&self, block: u64) -> Result<Option<u64>, StoreError> {
        Ok(self.value_at::<Blocks>(&block, 0)?.map(|b| b.timestamp))
    }

    /// How `token`'s investors are told apart after `block`: its DS registry, else its T-REX
    /// identity registry's storage, else by wallet.
    pub fn investor_source(&self, token: Address, block: u64) -> Result<InvestorSource, StoreError> {
        if let Some(registry) = self.link_at(token, LinkKind::DsRegistry, block)? {
            return Ok(InvestorSource::DsRegistry(registry));
        }
        if let Some(storage) = self.identity_storage_at(token, block)? {
            return Ok(InvestorSource::IdentityStorage(storage));
        }
        Ok(InvestorSource::Wallets)
    }

    /// A DS investor in `registry` after `block`, by id.
    pub fn ds_investor_at(
        &self,
        registry: Address,
        id: &str,
        block: u64,
    ) -> Result<Option<InvestorRecord>, StoreError> {
        Ok(self.subject_value_at::<InvestorHistory>(registry, investor_word(id), block)?.filter(|r| r.present))
    }

    /// The DS investor `wallet` belonged to in `registry` after `block`.
    pub fn ds_investor_of(
        &self,
        registry: Address,
        wallet: Address,
        block: u64,
    ) -> Result<Option<InvestorRecord>, StoreError> {
        let Some(w) = self.holder_value_at::<InvestorWalletHistory>(registry, wallet, block)? else { return Ok(None) };
        if w.investor.is_zero() {
            return Ok(None);
        }
        self.subject_value_at::<InvestorHistory>(registry, w.investor, block)
    }

    /// The wallets of a DS investor in `registry` after `block`.
    pub fn ds_wallets_at(&self, registry: Address, id: &str, block: u64) -> Result<Vec<Address>, StoreError> {
        let word = investor_word(id);
        let rows = self.history_at::<InvestorWalletHistory, _>(
            registry.as_slice(),
            block,
            |k| (k.holder, k.block),
            |w| w.investor == word,
        )?;
        Ok(rows.into_iter().map(|(wallet, _)| wallet).collect())
    }

    /// The investors of `token` after `block`, with their wallets that hold a balance or a frozen
    /// state, by id. A wallet a registry does not know is an investor of its own (with an empty
    /// country).
    pub fn investor_register(
        &self,
        token: Address,
        block: u64,
    ) -> Result<(InvestorSource, Vec<InvestorRow>), StoreError> {
        let source = self.investor_source(token, block)?;
        let holders = self.listed_holders_at(token, block)?;
        let mut investors: BTreeMap<String, InvestorRow> = BTreeMap::new();
        let own = |h: &HolderRow| (h.address.to_checksum(None), String::new(), None);
        let identities = match source {
            InvestorSource::IdentityStorage(_) => Some(self.identity_register(token, block)?),
            _ => None,
        };
        for holder in holders {
            let (id, country, record) = match source {
                InvestorSource::DsRegistry(registry) => match self.ds_investor_of(registry, holder.address, block)? {
                    Some(r) => (r.id.clone(), r.country.clone(), Some(r)),
                    None => own(&holder),
                },
                InvestorSource::IdentityStorage(_) => {
                    match identities.as_ref().and_then(|ids| ids.get(&holder.address)) {
                        Some(r) => (r.identity.to_checksum(None), numeric_country(r.country), None),
                        None => own(&holder),
                    }
                }
                InvestorSource::Wallets => own(&holder),
            };
            let row = investors.entry(id.clone()).or_insert_with(|| InvestorRow {
                id,
                country,
                balance: U256::ZERO,
                wallets: Vec::new(),
                record,
            });
            row.balance = row.balance.saturating_add(holder.state.balance);
            row.wallets.push(holder);
        }
        Ok((source, investors.into_values().collect()))
    }

    /// The investor `wallet` belongs to after `block`, with all its wallets (holding or not): a
    /// DS registry's investor, the wallets of its T-REX identity, or the wallet alone. `None`
    /// for a wallet the registry does not know and that holds nothing.
    pub fn investor_of(
        &self,
        token: Address,
        wallet: Address,
        block: u64,
    ) -> Result<Option<(InvestorSource, InvestorRow)>, StoreError> {
        let source = self.investor_source(token, block)?;
        let (id, country, record, wallets) = match source {
            InvestorSource::DsRegistry(registry) => match self.ds_investor_of(registry, wallet, block)? {
                Some(r) if r.present => {
                    let wallets = self.ds_wallets_at(registry, &r.id, block)?;
                    (r.id.clone(), r.country.clone(), Some(r), wallets)
                }
                _ => (wallet.to_checksum(None), String::new(), None, vec![wallet]),
            },
            InvestorSource::IdentityStorage(_) => match self.identity_at(token, wallet, block)? {
                Some(r) => {
                    let wallets = self
                        .identity_register(token, block)?
                        .into_iter()
                        .filter(|(_, other)| other.identity == r.identity)
                        .map(|(w, _)| w)
                        .collect();
                    (r.identity.to_checksum(None), numeric_country(r.country), None, wallets)
                }
                None => (wallet.to_checksum(None), String::new(), None, vec![wallet]),
            },
            InvestorSource::Wallets => (wallet.to_checksum(None), String::new(), None, vec![wallet]),
        };
        let mut row = InvestorRow { id, country, balance: U256::ZERO, wallets: Vec::new(), record };
        for w in wallets {
            let state = self.holder_at(token, w, block)?;
            row.balance = row.balance.saturating_add(state.balance);
            row.wallets.push(HolderRow { address: w, state });
        }
        if row.record.is_none() && !row.wallets.iter().any(|w| w.state.is_listed()) {
            return Ok(None);
        }
        Ok(Some((source, row)))
    }

    /// How many investors hold `token` after `block` (a positive balance across their wallets),
    /// as DS counts them: one investor with several wallets is one.
    pub fn investor_count(&self, token: Address, block: u64) -> Result<u64, StoreError> {
        let (_, rows) = self.investor_register(token, block)?;
        Ok(rows.iter().filter(|r| !r.balance.is_zero()).count() as u64)
    }

    /// Investors holding `token` after `block` by country, most investors first.
    pub fn investors_by_country(&self, token: Address, block: u64) -> Result<Vec<CountryCount>, StoreError> {
        let (_, rows) = self.investor_register(token, block)?;
        let mut by: BTreeMap<String, CountryCount> = BTreeMap::new();
        for r in rows.iter().filter(|r| !r.balance.is_zero()) {
            let c = by
                .entry(r.country.clone())
                .or_insert_with(|| CountryCount { country: r.country.clone(), ..Default::default() });
            c.investors += 1;
            c.balance = c.balance.saturating_add(r.balance);
        }
        let mut out: Vec<CountryCount> = by.into_values().collect();
        out.sort_by(|a, b| b.investors.cmp(&a.investors).then_with(|| a.country.cmp(&b.country)));
        Ok(out)
    }

    /// The DS locks that bind `wallet`'s tokens of `token` after `block`: the wallet's own and
    /// its investor's, as the token's lock manager then kept them.
    pub fn locks_at(&self, token: Address, wallet: Address, block: u64) -> Result<Vec<LockRecord>, StoreError> {
        let Some(manager) = self.link_at(token, LinkKind::DsLockManager, block)? else { return Ok(Vec::new()) };
        let mut locks = self.subject_value_at::<LockHistory>(manager, wallet.into_word(), block)?.unwrap_or_default().0;
        if let Some(registry) = self.link_at(token, LinkKind::DsRegistry, block)? {
            if let Some(investor) = self.ds_investor_of(registry, wallet, block)? {
                let word = investor_word(&investor.id);
                locks.extend(self.subject_value_at::<LockHistory>(manager, word, block)?.unwrap_or_default().0);
            }
        }
        Ok(locks)
    }

    /// The DS locks of an investor (by id) of `token` after `block`.
    pub fn investor_locks_at(&self, token: Address, id: &str, block: u64) -> Result<Vec<LockRecord>, StoreError> {
        let Some(manager) = self.link_at(token, LinkKind::DsLockManager, block)? else { return Ok(Vec::new()) };
        Ok(self.subject_value_at::<LockHistory>(manager, investor_word(id), block)?.unwrap_or_default().0)
    }

    /// `investor`'s entry on `token`'s ST-20 transfer manager's whitelist after `block`.
    pub fn whitelist_at(
        &self,
        token: Address,
        investor: Address,
        block: u64,
    ) -> Result<Option<WhitelistRecord>, StoreError> {
        let Some(manager) = self.link_at(token, LinkKind::TransferManager, block)? else { return Ok(None) };
        Ok(self.holder_value_at::<WhitelistHistory>(manager, investor, block)?.filter(|w| w.is_listed()))
    }

    /// Every entry of `token`'s ST-20 whitelist after `block`, by investor.
    pub fn whitelist_register(
        &self,
        token: Address,
        block: u64,
    ) -> Result<Vec<(Address, WhitelistRecord)>, StoreError> {
        let Some(manager) = self.link_at(token, LinkKind::TransferManager, block)? else { return Ok(Vec::new()) };
        self.history_at::<WhitelistHistory, _>(manager.as_slice(), block, |k| (k.holder, k.block), |w| w.is_listed())
    }

    /// The compliance rules `token`'s DS compliance configuration (and wallet manager, for
    /// reserved slots) held after `block`.
    pub fn compliance_rules_at(&self, token: Address, block: u64) -> Result<Vec<RuleRecord>, StoreError> {
        let mut rules = Vec::new();
        for kind in [LinkKind::DsComplianceConfiguration, LinkKind::DsWalletManager] {
            if let Some(contract) = self.link_at(token, kind, block)? {
                let rows = self.history_at::<ComplianceRuleHistory, _>(
                    contract.as_slice(),
                    block,
                    |k| (k.subject, k.block),
                    |r| !r.rule.is_empty(),
                )?;
                rules.extend(rows.into_iter().map(|(_, r)| r));
            }
        }
        rules.sort_by(|a, b| (&a.rule, &a.key).cmp(&(&b.rule, &b.key)));
        Ok(rules)
    }
}
