//! Investor registers: DS registries (investors, their wallets, countries and attributes), DS
//! lock managers (locks of wallets and investors), ST-20 whitelists and DS compliance rules.
//! Each is state with history, kept under the contract that emitted the event; queries reach a
//! token's through its links ([`crate::tables::LinkKind`]).

use alloy::primitives::{Address, B256, U256};
use registrar_schemas::{InvestorAction, InvestorChange, LockChange, RuleForm, WhitelistEntry};
use tracing::warn;

use super::*;
use crate::{tables::*, StoreError};

/// Most attributes one DS investor keeps (DS defines four: KYC, accredited, qualified,
/// professional): a registry that names more is hostile, and each event rewrites the record.
const MAX_ATTRIBUTES: usize = 64;
/// Most locks one wallet or investor keeps (DS's investor lock manager allows 30).
const MAX_LOCKS: usize = 256;

impl Tx<'_> {
    /// Sets `key` of state table `S` to `value` after `block`, with a history row in `H` when it
    /// changed. A value equal to the type's default deletes the latest row.
    fn versioned<S, H>(&mut self, key: &S::Key, history: &H::Key, value: S::Value) -> Result<(), StoreError>
    where
        S: Table,
        H: Table<Value = S::Value>,
        S::Value: Default + PartialEq,
    {
        let old = self.get::<S>(key)?.unwrap_or_default();
        if old == value {
            return Ok(());
        }
        if value == S::Value::default() {
            self.delete::<S>(key)?;
        } else {
            self.put::<S>(key, &value)?;
        }
        self.put::<H>(history, &value)
    }

    fn change_investor(
        &mut self,
        registry: Address,
        id: &str,
        block: u64,
        change: impl FnOnce(&mut InvestorRecord),
    ) -> Result<B256, StoreError> {
        let subject = investor_word(id);
        let key = SubjectKey { contract: registry, subject };
        let mut record = self.get::<Investors>(&key)?.unwrap_or_default();
        if record.id.is_empty() {
            // First seen by another event than its addition (added before the indexed range):
            // the registry only names investors that exist.
            record.id = id.to_owned();
            record.present = true;
        }
        change(&mut record);
        self.versioned::<Investors, InvestorHistory>(
            &key,
            &SubjectBlockKey { contract: registry, subject, block },
            record,
        )?;
        Ok(subject)
    }

    /// A DS registry's investor or wallet changed, or a lock manager's flag of an investor.
    pub(super) fn investor(&mut self, registry: Address, c: &InvestorChange, block: u64) -> Result<(), StoreError> {
        use InvestorAction as A;
        let flag = |r: &mut InvestorRecord, flag: u8, on: bool| {
            if on {
                r.flags |= flag
            } else {
                r.flags &= !flag
            }
        };
        match c.action {
            A::Added => {
                self.change_investor(registry, &c.id, block, |r| r.present = true)?;
            }
            // The registry deletes the investor's facts; attributes live in a mapping that
            // Solidity's `delete` leaves, and so they stay.
            A::Removed => {
                self.change_investor(registry, &c.id, block, |r| {
                    r.present = false;
                    r.country.clear();
                    r.flags = 0;
                })?;
            }
            // dstoken 1.x: the facts follow in their own events.
            A::Changed => {}
            A::CountryChanged => {
                self.change_investor(registry, &c.id, block, |r| r.country = c.country.clone())?;
            }
            A::AttributeChanged => {
                let attribute = InvestorAttribute {
                    attribute: c.attribute,
                    value: c.value,
                    expiry: c.expiry,
                    proof_hash: c.proof_hash.clone(),
                };
                self.change_investor(registry, &c.id, block, |r| {
                    match r.attributes.binary_search_by(|a| a.attribute.cmp(&c.attribute)) {
                        Ok(i) => r.attributes[i] = attribute,
                        Err(i) if r.attributes.len() < MAX_ATTRIBUTES => r.attributes.insert(i, attribute),
                        Err(_) => warn!(target: "projector", %registry, id = c.id, "investor attribute over the limit ignored"),
                    }
                })?;
            }
            A::WalletAdded | A::OmnibusWalletAdded => {
                let investor = self.change_investor(registry, &c.id, block, |_| {})?;
                let record = WalletRecord { investor, omnibus: c.action == A::OmnibusWalletAdded };
                self.set_wallet(registry, c.wallet, block, record)?;
            }
            A::WalletRemoved | A::OmnibusWalletRemoved => {
                self.set_wallet(registry, c.wallet, block, WalletRecord::default())?;
            }
            A::FullyLocked | A::FullyUnlocked => {
                let on = c.action == A::FullyLocked;
                self.change_investor(registry, &c.id, block, |r| flag(r, INVESTOR_FULLY_LOCKED, on))?;
            }
            A::Paused | A::Unpaused => {
                let on = c.action == A::Paused;
                self.change_investor(registry, &c.id, block, |r| flag(r, INVESTOR_PAUSED, on))?;
            }
            A::LiquidateOnlySet => {
                let on = !c.value.is_zero();
                self.change_investor(registry, &c.id, block, |r| flag(r, INVESTOR_LIQUIDATE_ONLY, on))?;
            }
        }
        Ok(())
    }

    fn set_wallet(
        &mut self,
        registry: Address,
        wallet: Address,
        block: u64,
        record: WalletRecord,
    ) -> Result<(), StoreError> {
        let key = HolderKey { token: registry, holder: wallet };
        let history = HolderBlockKey { token: registry, holder: wallet, block };
        self.versioned::<InvestorWallets, InvestorWalletHistory>(&key, &history, record)
    }

    /// A DS lock manager's lock created or removed. A removal takes the first lock with the
    /// same facts, as the manager does by index (moving its last lock into the gap); an unknown
    /// one (made before the indexed range) changes nothing.
    pub(super) fn lock(&mut self, manager: Address, l: &LockChange, block: u64) -> Result<(), StoreError> {
        if !l.counted {
            return Ok(());
        }
        let subject = if l.investor.is_empty() { l.wallet.into_word() } else { investor_word(&l.investor) };
        let key = SubjectKey { contract: manager, subject };
        let mut locks = self.get::<Locks>(&key)?.unwrap_or_default();
        let record = LockRecord {
            value: l.value,
            reason: l.reason,
            reason_text: l.reason_text.clone(),
            release_time: l.release_time,
            partition: l.partition.unwrap_or_default(),
        };
        if l.locked && locks.0.len() < MAX_LOCKS {
            locks.0.push(record);
        } else if l.locked {
            warn!(target: "projector", %manager, "lock over the limit of {MAX_LOCKS} ignored");
        } else if let Some(i) = locks.0.iter().position(|r| *r == record) {
            locks.0.swap_remove(i);
        }
        self.versioned::<Locks, LockHistory>(&key, &SubjectBlockKey { contract: manager, subject, block }, locks)
    }

    /// An ST-20 transfer manager's whitelist entry.
    pub(super) fn whitelist(&mut self, manager: Address, w: &WhitelistEntry, block: u64) -> Result<(), StoreError> {
        let record = WhitelistRecord {
            can_send_after: w.can_send_after,
            can_receive_after: w.can_receive_after,
            expiry: w.expiry,
            can_buy: w.can_buy,
            added_by: w.added_by,
            added_at: w.added_at,
        };
        let key = HolderKey { token: manager, holder: w.investor };
        let history = HolderBlockKey { token: manager, holder: w.investor, block };
        self.versioned::<Whitelists, WhitelistHistory>(&key, &history, record)
    }

    /// A compliance rule's new value.
    pub(super) fn compliance_rule(
        &mut self,
        contract: Address,
        form: RuleForm,
        rule: &str,
        key: &str,
        value: U256,
        block: u64,
    ) -> Result<(), StoreError> {
        let subject = rule_word(rule, key);
        let record = RuleRecord { form: form as u8, rule: rule.to_owned(), key: key.to_owned(), value };
        let history = SubjectBlockKey { contract, subject, block };
        self.versioned::<ComplianceRules, ComplianceRuleHistory>(&SubjectKey { contract, subject }, &history, record)
    }
}
