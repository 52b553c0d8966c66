//! What events leave out, read from the chain once per range: token strings, investors'
//! countries, the wallet of an identity update and forced transfers, from views, transactions
//! and their call traces.

use std::collections::BTreeSet;

use alloy::primitives::Address;
use registrar_schemas::{LogRecord, TokenEvent};

use super::*;
use crate::{
    settle::{country_key, wallet_key, ForcedTransfer},
    trace::Call,
    IngestError, RangeReads, Rpc,
};

impl Ingestor {
    /// Reads what the range's events leave out, as of each event's block: T-REX's indexed token
    /// name and symbol (the log holds their hashes), the country of a newly stored or registered
    /// identity (the event has none), the wallet of an identity update (the event names none; the
    /// agent's call does: the transaction's own, or one made inside it through an agent manager or
    /// a multisig), and which transfers of T-REX tokens were forced. Nothing is changed here:
    /// [`crate::settle`] builds the records from the decoded ones and these reads.
    pub(super) async fn read_range(&self, records: &[LogRecord]) -> Result<RangeReads, IngestError> {
        // A transaction read for one event serves the others of the range (an identity update
        // emits an event in the registry and one in its storage).
        let mut transactions = Transactions::default();
        let mut reads = RangeReads::default();
        self.read_forced_transfers(records, &mut transactions, &mut reads).await?;
        for r in records {
            let LogRecord::Event(e) = r else { continue };
            let (contract, block) = (e.meta.contract, e.meta.block.number.0);
            if let TokenEvent::TokenInformation { .. } = e.event {
                if let std::collections::hash_map::Entry::Vacant(slot) = reads.strings.entry((contract, block)) {
                    slot.insert(self.rpc.token_strings_at(contract, block).await?);
                }
            }
            if let Some(key @ (contract, investor, storage, block)) = country_key(e) {
                if let std::collections::hash_map::Entry::Vacant(slot) = reads.countries.entry(key) {
                    slot.insert(self.rpc.investor_country(contract, investor, storage, block).await?);
                }
            }
            if let Some(key @ (tx, identity)) = wallet_key(e) {
                if reads.wallets.contains_key(&key) {
                    continue;
                }
                // A transaction the node no longer has is not traced either (a reorg).
                let Some(own) = transactions.own(&self.rpc, tx).await? else { continue };
                let wallet = match updated_wallet(&[own], identity) {
                    Some(wallet) => Some(wallet),
                    None => updated_wallet(transactions.traced(&self.rpc, tx).await?, identity),
                };
                if let Some(wallet) = wallet {
                    reads.wallets.insert(key, wallet);
                }
            }
        }
        Ok(reads)
    }

    /// A T-REX agent's `forcedTransfer` emits a plain `Transfer`: the transactions of T-REX
    /// tokens' transfers are read, and the `forcedTransfer` and `batchForcedTransfer` calls made
    /// on the token are kept with the agent that called. A transaction sent to another contract
    /// (an agent manager, a multisig, a DvD) is traced to find the calls it made to the token; a
    /// node that does not trace leaves those transfers plain.
    async fn read_forced_transfers(
        &self,
        records: &[LogRecord],
        cache: &mut Transactions,
        reads: &mut RangeReads,
    ) -> Result<(), IngestError> {
        if self.trex_tokens.is_empty() {
            return Ok(());
        }
        let mut transactions = BTreeSet::new();
        for r in records {
            if let LogRecord::Event(e) = r {
                if matches!(e.event, TokenEvent::Transfer { .. }) && self.trex_tokens.contains(&e.meta.contract) {
                    transactions.insert((e.meta.tx_hash, e.meta.contract));
                }
            }
        }
        for (tx, token) in transactions {
            let Some(own) = cache.own(&self.rpc, tx).await? else { continue };
            let forced = if own.to == Some(token) {
                forced_transfers(&[own], token)
            } else {
                forced_transfers(cache.traced(&self.rpc, tx).await?, token)
            };
            if !forced.is_empty() {
                reads.forced.insert((tx, token), forced);
            }
        }
        Ok(())
    }
}

/// The transactions `read_range` fetched for one range, each read once: their own call and,
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
pub(super) fn forced_transfers(calls: &[Call], token: Address) -> Vec<ForcedTransfer> {
    use alloy::sol_types::SolCall;
    use registrar_schemas::abi::trex::ITREXForcedTransfers as F;
    let mut forced = Vec::new();
    for c in calls.iter().filter(|c| c.to == Some(token)) {
        if let Ok(f) = F::forcedTransferCall::abi_decode(&c.input) {
            forced.push(ForcedTransfer { from: f._from, to: f._to, value: f._amount, agent: c.from });
        } else if let Ok(b) = F::batchForcedTransferCall::abi_decode(&c.input) {
            for ((from, to), amount) in b._fromList.iter().zip(&b._toList).zip(&b._amounts) {
                forced.push(ForcedTransfer { from: *from, to: *to, value: *amount, agent: c.from });
            }
        }
    }
    forced
}
