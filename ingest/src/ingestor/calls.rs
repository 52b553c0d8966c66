//! What events leave out, read back from the chain: token strings, investors' countries, the
//! wallet of an identity update and forced transfers, from transactions and their call traces.

use std::collections::BTreeSet;

use alloy::primitives::Address;
use registrar_schemas::{IdentityAction, LogRecord, TokenEvent};

use super::*;
use crate::{trace::Call, IngestError, Rpc};

impl Ingestor {
    /// Reads back with `eth_call` what events leave out: T-REX's indexed token name and symbol
    /// (the log holds their hashes) and the country of a newly stored identity (the event has
    /// none). The views are read as of the event's block.
    pub(super) async fn read_back(&self, records: &mut [LogRecord]) -> Result<(), IngestError> {
        // A transaction read for one event serves the others of the range (an identity update
        // emits an event in the registry and one in its storage).
        let mut transactions = Transactions::default();
        self.mark_forced_transfers(records, &mut transactions).await?;
        for r in records.iter_mut() {
            let LogRecord::Event(e) = r else { continue };
            let (contract, block) = (e.meta.contract, e.meta.block.number.0);
            match &mut e.event {
                TokenEvent::TokenInformation { name, symbol, .. } => {
                    (*name, *symbol) = self.rpc.token_strings_at(contract, block).await?;
                }
                TokenEvent::Identity { action: IdentityAction::Stored, investor, country, .. } => {
                    *country = self.rpc.investor_country(contract, *investor, true, block).await?;
                }
                TokenEvent::Identity { action: IdentityAction::Registered, investor, country, .. } => {
                    *country = self.rpc.investor_country(contract, *investor, false, block).await?;
                }
                // The events name no wallet; the agent's call does: the transaction's own, or
                // one made inside it (through an agent manager or a multisig).
                TokenEvent::Identity {
                    action: IdentityAction::Updated | IdentityAction::Modified,
                    investor,
                    identity,
                    ..
                } if investor.is_zero() => {
                    // A transaction the node no longer has is not traced either (a reorg).
                    let Some(own) = transactions.own(&self.rpc, e.meta.tx_hash).await? else { continue };
                    let wallet = match updated_wallet(&[own], *identity) {
                        Some(wallet) => Some(wallet),
                        None => updated_wallet(transactions.traced(&self.rpc, e.meta.tx_hash).await?, *identity),
                    };
                    if let Some(wallet) = wallet {
                        *investor = wallet;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A T-REX agent's `forcedTransfer` emits a plain `Transfer`: the transactions of T-REX
    /// tokens' transfers are read, and each transfer a `forcedTransfer` or `batchForcedTransfer`
    /// call on the token made (same sender, recipient and amount) is recorded as forced, with the
    /// agent that called. A transaction sent to another contract (an agent manager, a multisig,
    /// a DvD) is traced to find the calls it made to the token; a node that does not trace
    /// leaves those transfers plain.
    pub(super) async fn mark_forced_transfers(
        &self,
        records: &mut [LogRecord],
        cache: &mut Transactions,
    ) -> Result<(), IngestError> {
        if self.trex_tokens.is_empty() {
            return Ok(());
        }
        let mut transactions = BTreeSet::new();
        for r in records.iter() {
            if let LogRecord::Event(e) = r {
                if matches!(e.event, TokenEvent::Transfer { .. }) && self.trex_tokens.contains(&e.meta.contract) {
                    transactions.insert((e.meta.tx_hash, e.meta.contract));
                }
            }
        }
        for (tx, token) in transactions {
            let Some(own) = cache.own(&self.rpc, tx).await? else { continue };
            let mut forced = if own.to == Some(token) {
                forced_transfers(&[own], token)
            } else {
                forced_transfers(cache.traced(&self.rpc, tx).await?, token)
            };
            for r in records.iter_mut() {
                if forced.is_empty() {
                    break;
                }
                let LogRecord::Event(e) = r else { continue };
                if e.meta.tx_hash != tx || e.meta.contract != token {
                    continue;
                }
                let TokenEvent::Transfer { from, to, value } = e.event else { continue };
                let Some(i) = forced.iter().position(|f| (f.0, f.1, f.2) == (from, to, value)) else { continue };
                let agent = forced.remove(i).3;
                e.event = TokenEvent::Move(registrar_schemas::Move {
                    kind: registrar_schemas::MoveKind::ForcedTransfer,
                    partition: None,
                    operator: agent,
                    from,
                    to,
                    value,
                    moves_balance: true,
                });
            }
        }
        Ok(())
    }
}

/// The transactions `read_back` fetched for one range, each read once: their own call and,
/// where that does not explain an event, the calls made inside them.
#[derive(Default)]
pub(super) struct Transactions {
    own: std::collections::HashMap<alloy::primitives::B256, Option<Call>>,
    traced: std::collections::HashMap<alloy::primitives::B256, Vec<Call>>,
}

impl Transactions {
    /// The transaction's own call (sender, recipient, input).
    async fn own(&mut self, rpc: &Rpc, hash: alloy::primitives::B256) -> Result<Option<Call>, IngestError> {
        if let Some(found) = self.own.get(&hash) {
            return Ok(found.clone());
        }
        let found = rpc.transaction(hash).await?;
        self.own.insert(hash, found.clone());
        Ok(found)
    }

    /// Every call the transaction made (a multisig's or an agent manager's calls to a token
    /// included); none when the node does not trace.
    async fn traced(&mut self, rpc: &Rpc, hash: alloy::primitives::B256) -> Result<&[Call], IngestError> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.traced.entry(hash) {
            slot.insert(rpc.traced_calls(hash).await?.unwrap_or_default());
        }
        Ok(&self.traced[&hash])
    }
}

/// The wallet a T-REX `updateIdentity` (registry) or `modifyStoredIdentity` (storage) call among
/// `calls` gave the identity `new`.
pub(super) fn updated_wallet(calls: &[Call], new: Address) -> Option<Address> {
    use alloy::sol_types::SolCall;
    use registrar_schemas::abi::trex::ITREXIdentityCalls as I;
    calls.iter().find_map(|c| {
        I::updateIdentityCall::abi_decode(&c.input)
            .map(|c| (c._userAddress, c._identity))
            .or_else(|_| I::modifyStoredIdentityCall::abi_decode(&c.input).map(|c| (c._userAddress, c._identity)))
            .ok()
            .filter(|(_, identity)| *identity == new)
            .map(|(wallet, _)| wallet)
    })
}

/// The transfers `calls` forced on `token` (`forcedTransfer`, `batchForcedTransfer`): sender,
/// recipient, amount, and the agent (the caller as the token sees it).
pub(super) fn forced_transfers(
    calls: &[Call],
    token: Address,
) -> Vec<(Address, Address, alloy::primitives::U256, Address)> {
    use alloy::sol_types::SolCall;
    use registrar_schemas::abi::trex::ITREXForcedTransfers as F;
    let mut forced = Vec::new();
    for c in calls.iter().filter(|c| c.to == Some(token)) {
        if let Ok(f) = F::forcedTransferCall::abi_decode(&c.input) {
            forced.push((f._from, f._to, f._amount, c.from));
        } else if let Ok(b) = F::batchForcedTransferCall::abi_decode(&c.input) {
            for ((from, to), amount) in b._fromList.iter().zip(&b._toList).zip(&b._amounts) {
                forced.push((*from, *to, *amount, c.from));
            }
        }
    }
    forced
}
