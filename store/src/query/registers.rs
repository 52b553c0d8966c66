//! Registers and the checks regulators ask for, as typed rows: the holder register with partition
//! balances, its reconciliation against the token's aggregates, and issuance and redemption over
//! a range of blocks.

use alloy::primitives::{Address, B256, U256};

use crate::{HolderRow, StateDb, StoreError, TransferFilter, TransferRow};

/// An ERC-3475 position: (class, nonce, amount).
pub type BondPosition = (U256, U256, U256);

/// The holder register as of a block: one row per listed account, with its partition balances,
/// in address order, and the supply of each partition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HolderRegister {
    pub rows: Vec<RegisterRow>,
    /// Each partition's supply (empty for an unpartitioned token).
    pub supplies: Vec<(B256, U256)>,
    /// Each ERC-3475 tranche's supply: (class, nonce, supply), by class then nonce (empty for
    /// other tokens).
    pub tranches: Vec<BondPosition>,
}

/// One account of a [`HolderRegister`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRow {
    pub holder: HolderRow,
    /// Its balance in each partition, by partition.
    pub partitions: Vec<(B256, U256)>,
    /// Its ERC-3475 bonds: (class, nonce, amount), by class then nonce.
    pub bonds: Vec<BondPosition>,
}

/// What a reconciliation compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The token's total supply against the sum of its holders' balances.
    SumOfBalances,
    /// The token's holder count against the accounts with a balance.
    HoldersWithABalance,
    /// The total supply against the sum of the partitions' supplies.
    SumOfPartitionSupplies,
    /// A partition's supply against the sum of its holders' balances in it.
    Partition(B256),
    /// The total supply against the sum of the ERC-3475 tranches' supplies.
    SumOfTrancheSupplies,
    /// An ERC-3475 tranche's supply (class, nonce) against the sum of its holders' amounts.
    Tranche(U256, U256),
}

/// One line of a reconciliation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconciliationRow {
    pub check: Check,
    pub expected: U256,
    pub actual: U256,
}

/// The token's aggregates against its register, as of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reconciliation {
    pub rows: Vec<ReconciliationRow>,
}

impl Reconciliation {
    /// Whether every check holds.
    pub fn balanced(&self) -> bool {
        self.rows.iter().all(|r| r.expected == r.actual)
    }
}

/// Whether a supply change issued or redeemed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuanceKind {
    Issue,
    Redeem,
}

impl IssuanceKind {
    pub fn name(self) -> &'static str {
        match self {
            IssuanceKind::Issue => "issue",
            IssuanceKind::Redeem => "redeem",
        }
    }
}

/// A mint or a burn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuanceRow {
    pub kind: IssuanceKind,
    /// The holder issued to or redeemed from.
    pub account: Address,
    pub transfer: TransferRow,
}

/// Issuance and redemption over a range of blocks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Issuance {
    pub rows: Vec<IssuanceRow>,
    pub issued: U256,
    pub redeemed: U256,
}

impl StateDb {
    /// The holder register of `token` as of `block`.
    pub fn register(&self, token: Address, block: u64) -> Result<HolderRegister, StoreError> {
        let mut partitions = self.partition_register(token, block)?;
        let supplies = partitions.remove(&Address::ZERO).unwrap_or_default();
        let mut bonds = self.bond_register(token, block)?;
        let tranches = bonds.remove(&Address::ZERO).unwrap_or_default();
        let rows = self
            .holder_register(token, block)?
            .into_iter()
            .map(|holder| RegisterRow {
                partitions: partitions.remove(&holder.address).unwrap_or_default(),
                bonds: bonds.remove(&holder.address).unwrap_or_default(),
                holder,
            })
            .collect();
        Ok(HolderRegister { rows, supplies, tranches })
    }

    /// The token's total supply and holder count against its register; for a partitioned token
    /// also every partition's supply against its holders and the partitions against the supply.
    pub fn reconciliation(&self, token: Address, block: u64) -> Result<Reconciliation, StoreError> {
        let snapshot = self.token_at(token, block)?;
        let register = self.register(token, block)?;
        let holders = &register.rows;
        let sum = holders.iter().fold(U256::ZERO, |s, r| s.saturating_add(r.holder.state.balance));
        let with_balance = holders.iter().filter(|r| !r.holder.state.balance.is_zero()).count() as u64;
        let mut rows = vec![
            ReconciliationRow { check: Check::SumOfBalances, expected: snapshot.total_supply, actual: sum },
            ReconciliationRow {
                check: Check::HoldersWithABalance,
                expected: U256::from(snapshot.holder_count),
                actual: U256::from(with_balance),
            },
        ];
        if !register.supplies.is_empty() {
            let supplies = register.supplies.iter().fold(U256::ZERO, |s, (_, v)| s.saturating_add(*v));
            rows.push(ReconciliationRow {
                check: Check::SumOfPartitionSupplies,
                expected: snapshot.total_supply,
                actual: supplies,
            });
            for (partition, supply) in &register.supplies {
                let held = holders
                    .iter()
                    .flat_map(|r| r.partitions.iter().filter(|(p, _)| p == partition).map(|(_, v)| *v))
                    .fold(U256::ZERO, |s, v| s.saturating_add(v));
                rows.push(ReconciliationRow { check: Check::Partition(*partition), expected: *supply, actual: held });
            }
        }
        if !register.tranches.is_empty() {
            let supplies = register.tranches.iter().fold(U256::ZERO, |s, (_, _, v)| s.saturating_add(*v));
            rows.push(ReconciliationRow {
                check: Check::SumOfTrancheSupplies,
                expected: snapshot.total_supply,
                actual: supplies,
            });
            for &(class, nonce, supply) in &register.tranches {
                let held = holders
                    .iter()
                    .flat_map(|r| r.bonds.iter().filter(|(c, n, _)| (*c, *n) == (class, nonce)).map(|(_, _, v)| *v))
                    .fold(U256::ZERO, |s, v| s.saturating_add(v));
                rows.push(ReconciliationRow { check: Check::Tranche(class, nonce), expected: supply, actual: held });
            }
        }
        Ok(Reconciliation { rows })
    }

    /// Every account's ERC-3475 positions of `token` after `block`, by account (the zero address:
    /// each tranche's supply).
    pub fn bond_register(
        &self,
        token: Address,
        block: u64,
    ) -> Result<std::collections::BTreeMap<Address, Vec<BondPosition>>, StoreError> {
        let rows = self.history_at::<crate::tables::BondHistory, _>(
            token.as_slice(),
            block,
            |k| ((k.holder, k.class, k.nonce), k.block),
            |v| !v.is_zero(),
        )?;
        let mut out: std::collections::BTreeMap<Address, Vec<BondPosition>> = Default::default();
        for ((holder, class, nonce), amount) in rows {
            out.entry(holder).or_default().push((class, nonce, amount));
        }
        Ok(out)
    }

    /// Every transfer of `token` in blocks `from..=to`, in chain order.
    pub fn transfers_between(&self, token: Address, from: u64, to: u64) -> Result<Vec<TransferRow>, StoreError> {
        let filter = TransferFilter { block_gte: Some(from), block_lte: Some(to), ..Default::default() };
        let mut out = Vec::new();
        self.each_transfer(token, filter, to, |page| out.extend_from_slice(page))?;
        Ok(out)
    }

    /// Every transfer of `token` in blocks `from..=to` with `account` on either side, in chain
    /// order (a transfer to itself once: the account index has one row for it).
    pub fn account_transfers(
        &self,
        token: Address,
        account: Address,
        from: u64,
        to: u64,
    ) -> Result<Vec<TransferRow>, StoreError> {
        let filter =
            TransferFilter { account: Some(account), block_gte: Some(from), block_lte: Some(to), ..Default::default() };
        let mut out = Vec::new();
        self.each_transfer(token, filter, to, |page| out.extend_from_slice(page))?;
        Ok(out)
    }

    /// How many transfers of `token` up to `as_of` match `filter` (a scan of the matching rows,
    /// bounded by the read budget).
    pub fn count_transfers(&self, token: Address, filter: TransferFilter, as_of: u64) -> Result<u64, StoreError> {
        let mut count = 0u64;
        self.each_transfer(token, filter, as_of, |page| count += page.len() as u64)?;
        Ok(count)
    }

    /// Every transfer of `token` up to `as_of` matching `filter`, handed to `f` a page at a time.
    fn each_transfer(
        &self,
        token: Address,
        filter: TransferFilter,
        as_of: u64,
        mut f: impl FnMut(&[TransferRow]),
    ) -> Result<(), StoreError> {
        let mut after: Option<String> = None;
        loop {
            let page = self.transfers(token, filter, as_of, 10_000, after.as_deref())?;
            f(&page.rows);
            if !page.has_next {
                return Ok(());
            }
            after = page.end_cursor;
        }
    }

    /// The mints and burns of `token` in blocks `from..=to`, with their totals.
    pub fn issuance(&self, token: Address, from: u64, to: u64) -> Result<Issuance, StoreError> {
        let mut out = Issuance::default();
        for t in self.transfers_between(token, from, to)? {
            let (kind, account) = match (t.from.is_zero(), t.to.is_zero()) {
                (true, false) => {
                    out.issued = out.issued.saturating_add(t.value);
                    (IssuanceKind::Issue, t.to)
                }
                (false, true) => {
                    out.redeemed = out.redeemed.saturating_add(t.value);
                    (IssuanceKind::Redeem, t.from)
                }
                (true, true) | (false, false) => continue,
            };
            out.rows.push(IssuanceRow { kind, account, transfer: t });
        }
        Ok(out)
    }
}
