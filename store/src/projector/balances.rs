//! Balances, holders and tokens: ERC-20 moves, freezes, the holder index and the aggregates.

use std::{collections::hash_map::Entry, sync::atomic::Ordering::Relaxed};

use alloy::primitives::{Address, U256};
use registrar_log::Metrics;
use registrar_schemas::ChainEvent;
use tracing::warn;

use super::{tx::FoldedHolder, *};
use crate::{tables::*, StoreError};

impl Tx<'_> {
    /// Moves `value` from `from` to `to` as an ERC-20 `Transfer` does: the transfer history, the
    /// balances and, for mints and burns, the supply.
    pub(super) fn move_balance(
        &mut self,
        e: &ChainEvent,
        from: Address,
        to: Address,
        value: U256,
        metrics: &Metrics,
    ) -> Result<(), StoreError> {
        let token = e.meta.contract;
        let block = e.meta.block.number.0;
        let key = EventKey { token, block, log_index: e.meta.log_index };
        let row = TransferValue {
            from,
            to,
            value,
            tx_hash: e.meta.tx_hash,
            tx_index: e.meta.tx_index,
            timestamp: e.meta.block.timestamp,
        };
        self.insert::<Transfers>(&key, &row)?;
        for account in [from, to] {
            let k = AccountEventKey { token, account, block, log_index: e.meta.log_index };
            self.insert::<TransfersByAccount>(&k, &())?;
        }
        let mut supply_change = (U256::ZERO, U256::ZERO);
        if from.is_zero() {
            supply_change.0 = value;
        } else {
            self.update_holder(token, from, block, metrics, |h| {
                let (b, underflow) = h.balance.overflowing_sub(value);
                h.balance = if underflow { U256::ZERO } else { b };
                underflow
            })?;
        }
        if to.is_zero() {
            supply_change.1 = value;
        } else {
            self.update_holder(token, to, block, metrics, |h| {
                h.balance = h.balance.saturating_add(value);
                false
            })?;
        }
        if supply_change != (U256::ZERO, U256::ZERO) {
            self.update_token(token, block, |t| {
                t.total_supply = t.total_supply.saturating_add(supply_change.0).saturating_sub(supply_change.1);
            })?;
        }
        Ok(())
    }

    /// Applies `change` to the amount under `latest` and records the result under `history`
    /// (a zero amount leaves `latest`); more taken than held is clamped at zero, logged by
    /// `anomaly` and counted.
    pub(super) fn change_amount<L: Table<Value = U256>, H: Table<Value = U256>>(
        &mut self,
        latest: &L::Key,
        history: &H::Key,
        metrics: &Metrics,
        change: Change,
        anomaly: impl FnOnce(),
    ) -> Result<(), StoreError> {
        let old = self.get::<L>(latest)?.unwrap_or_default();
        let new = match change {
            Change::Add(v) => old.saturating_add(v),
            Change::Sub(v) => old.checked_sub(v).unwrap_or_else(|| {
                anomaly();
                metrics.balance_anomalies.fetch_add(1, Relaxed);
                U256::ZERO
            }),
        };
        if new == old {
            return Ok(());
        }
        if new.is_zero() {
            self.delete::<L>(latest)?;
        } else {
            self.put::<L>(latest, &new)?;
        }
        self.put::<H>(history, &new)
    }

    /// Changes a holder; `change` returns true if the event asked for more than there was (an
    /// anomaly that is counted and logged, and clamps at zero instead of wrapping).
    pub(super) fn update_holder(
        &mut self,
        token: Address,
        holder: Address,
        block: u64,
        metrics: &Metrics,
        change: impl FnOnce(&mut HolderState) -> bool,
    ) -> Result<(), StoreError> {
        let key = HolderKey { token, holder };
        // Folded (final blocks): this batch's copy, else the cache, else the store. Change by
        // change: the store, through the overlay.
        let folded = self.undo_block.is_none();
        let known = if folded { self.holders.get(&key).map(|f| f.now).or_else(|| self.cache.get(&key)) } else { None };
        let old = match known {
            Some(state) => state,
            None => self.get::<Holders>(&key)?.unwrap_or_default(),
        };
        let mut new = old;
        if change(&mut new) {
            warn!(target: "projector", %token, %holder, block, "event takes an amount below zero, clamped");
            metrics.balance_anomalies.fetch_add(1, Relaxed);
        }
        if !new.balance.is_zero() && new.first_acquired == 0 {
            new.first_acquired = block;
        }
        if new == old {
            return Ok(());
        }
        let held = |h: &HolderState| u64::from(!h.balance.is_zero());
        let listed = |h: &HolderState| u64::from(h.is_listed());
        if held(&old) != held(&new) || listed(&old) != listed(&new) {
            self.update_token(token, block, |t| {
                t.holder_count = t.holder_count + held(&new) - held(&old);
                t.listed_count = t.listed_count + listed(&new) - listed(&old);
            })?;
        }
        if folded {
            // Written once, with its index entry, when the batch commits; its history row once
            // per block, when the next block changes it or the batch commits.
            let finished = match self.holders.entry(key) {
                Entry::Occupied(mut e) => {
                    let f = e.get_mut();
                    let finished = (f.block != block).then_some((f.block, f.now));
                    (f.now, f.block) = (new, block);
                    finished
                }
                Entry::Vacant(e) => {
                    e.insert(FoldedHolder { before: old, now: new, block });
                    // A history row for this block, now or when the batch commits.
                    *self.changes.entry(token).or_default() += 1;
                    None
                }
            };
            if finished.is_some() {
                *self.changes.entry(token).or_default() += 1;
            }
            return match finished {
                Some((b, state)) => self.holder_history(token, holder, b, &state, false),
                None => Ok(()),
            };
        }
        if old.is_listed() {
            self.delete::<HoldersByBalance>(&BalanceIndexKey { token, balance: old.balance, holder })?;
            self.index_deletes += 1;
        }
        if new.is_listed() {
            self.put::<HoldersByBalance>(&BalanceIndexKey { token, balance: new.balance, holder }, &new)?;
        }
        self.put::<Holders>(&key, &new)?;
        // Written change by change now: the cache learns it again from the store.
        self.cache.forget(&key);
        *self.changes.entry(token).or_default() += 1;
        self.holder_history(token, holder, block, &new, true)
    }

    /// A holder's state after `block` in its history, and the holder in the block's changes (for
    /// historical top-N, see [`crate::tables::TopCheckpoints`]); through the overlay with undo
    /// records (`undo`), or straight to the batch for final blocks.
    pub(super) fn holder_history(
        &mut self,
        token: Address,
        holder: Address,
        block: u64,
        state: &HolderState,
        undo: bool,
    ) -> Result<(), StoreError> {
        let history = HolderBlockKey { token, holder, block };
        let change = BlockHolderKey { token, block, holder };
        if undo {
            self.put::<HolderHistory>(&history, state)?;
            self.put::<HolderChanges>(&change, &())
        } else {
            self.insert::<HolderHistory>(&history, state)?;
            self.insert::<HolderChanges>(&change, &())
        }
    }

    pub(super) fn update_token(
        &mut self,
        token: Address,
        block: u64,
        change: impl FnOnce(&mut TokenState),
    ) -> Result<(), StoreError> {
        let folded = self.undo_block.is_none();
        let old = match self.tokens.get(&token).filter(|_| folded) {
            Some(now) => *now,
            None => self.get::<TokenStates>(&token)?.unwrap_or_default(),
        };
        let mut new = old;
        change(&mut new);
        if new == old {
            return Ok(());
        }
        if folded {
            self.tokens.insert(token, new);
        } else {
            self.put::<TokenStates>(&token, &new)?;
        }
        self.put::<TokenHistory>(&TokenBlockKey { token, block }, &new)
    }
}
