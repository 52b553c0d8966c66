//! Building a range's records, once each. Decoding gives what each log says on its own; some
//! events need more: what the chain answers about them (a T-REX token's name and symbol, an
//! investor's country, the wallet of an identity update, whether a `Transfer` was forced), read
//! once per range into [`RangeReads`], and the other events of their transaction (an ERC-1400
//! movement that an ERC-20 `Transfer` also states is counted once; a `ChangedPartition` gets the
//! holder of the `TransferByPartition` before it). [`settle`] takes the decoded records and the
//! reads and returns the records the log gets: data flows one way, decode → reads → settle.

use std::collections::HashMap;

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::SolEvent,
};
use registrar_schemas::{abi::erc1400, IdentityAction, LogRecord, Move, MoveKind, TokenEvent, UndecodedLog};

/// What the chain says about a range beyond its logs, read once per range by the ingestor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeReads {
    /// A T-REX token's name and symbol as of a block: (token, block).
    pub strings: HashMap<(Address, u64), (String, String)>,
    /// An investor's country as of a block: (registry or storage, investor, is storage, block).
    pub countries: HashMap<(Address, Address, bool, u64), u16>,
    /// The wallet an identity update gave an identity: (transaction, new identity).
    pub wallets: HashMap<(B256, Address), Address>,
    /// The transfers a transaction forced on a T-REX token: (transaction, token) → the calls, in
    /// call order.
    pub forced: ForcedTransfers,
}

/// The transfers forced on T-REX tokens, by (transaction, token).
pub type ForcedTransfers = HashMap<(B256, Address), Vec<ForcedTransfer>>;

/// A `forcedTransfer` call (one of a `batchForcedTransfer`'s): sender, recipient, amount, and the
/// agent that called, as the token saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForcedTransfer {
    pub from: Address,
    pub to: Address,
    pub value: U256,
    pub agent: Address,
}

/// Where the reads come in for an event: the key of [`RangeReads`] it needs, if any.
pub(crate) fn country_key(e: &registrar_schemas::ChainEvent) -> Option<(Address, Address, bool, u64)> {
    let TokenEvent::Identity { action, investor, .. } = e.event else { return None };
    let storage = match action {
        IdentityAction::Stored => true,
        IdentityAction::Registered => false,
        IdentityAction::Removed
        | IdentityAction::Updated
        | IdentityAction::CountryUpdated
        | IdentityAction::Unstored
        | IdentityAction::Modified
        | IdentityAction::CountryModified => return None,
    };
    Some((e.meta.contract, investor, storage, e.meta.block.number.0))
}

/// The identity an update names without its wallet (`IdentityUpdated`, `IdentityModified` with no
/// investor): the wallet is read from the transaction.
pub(crate) fn wallet_key(e: &registrar_schemas::ChainEvent) -> Option<(B256, Address)> {
    match e.event {
        TokenEvent::Identity {
            action: IdentityAction::Updated | IdentityAction::Modified, investor, identity, ..
        } if investor.is_zero() => Some((e.meta.tx_hash, identity)),
        _ => None,
    }
}

/// The records of one range, in chain order, as the log gets them: each decoded record completed
/// with `reads`, then settled with the other events of its transaction (per contract):
///
/// - A `Transfer` of a T-REX token that a `forcedTransfer` call made (same sender, recipient and
///   amount) is a forced transfer by the calling agent.
/// - A movement is counted once. ERC-20 `Transfer`s and forced transfers count first; then each
///   [`MoveKind`] in order of [`MoveKind::precedence`] counts only what the events before it in
///   that order do not already state (matched by sender and recipient, amounts summed, so one
///   `Transfer` per chunk and one `ControllerTransfer` for the whole move match). Unmatched
///   movements count.
/// - `ChangedPartition` names no holder: it is the recipient of the `TransferByPartition` just
///   before it. Without one the log is kept as undecodable.
///
/// A transaction's logs are never split across ranges.
pub fn settle(decoded: Vec<LogRecord>, reads: &RangeReads) -> Vec<LogRecord> {
    let mut forced = reads.forced.clone();
    let completed: Vec<LogRecord> = decoded.into_iter().map(|r| complete(r, reads, &mut forced)).collect();
    let settled = decide(&completed);
    completed
        .into_iter()
        .enumerate()
        .map(|(i, record)| {
            let LogRecord::Event(mut e) = record else { return record };
            match &mut e.event {
                TokenEvent::ChangedPartition { holder, .. } => match settled.holders.get(&i) {
                    Some(Some(to)) => *holder = *to,
                    Some(None) => return changed_partition_without_transfer(LogRecord::Event(e)),
                    None => {}
                },
                TokenEvent::Move(m) => {
                    if let Some(moves) = settled.moves_balance.get(&i) {
                        m.moves_balance = *moves;
                    }
                }
                TokenEvent::Lock(l) => l.counted = !settled.lock_copies.contains(&i),
                _ => {}
            }
            LogRecord::Event(e)
        })
        .collect()
}

/// A record with what the reads say about it.
fn complete(record: LogRecord, reads: &RangeReads, forced: &mut ForcedTransfers) -> LogRecord {
    let LogRecord::Event(mut e) = record else { return record };
    let country = country_key(&e).and_then(|k| reads.countries.get(&k).copied());
    let wallet = wallet_key(&e).and_then(|k| reads.wallets.get(&k).copied());
    let (contract, block, tx) = (e.meta.contract, e.meta.block.number.0, e.meta.tx_hash);
    match &mut e.event {
        TokenEvent::Transfer { from, to, value } => {
            let (from, to, value) = (*from, *to, *value);
            if let Some(calls) = forced.get_mut(&(tx, contract)) {
                if let Some(i) = calls.iter().position(|f| (f.from, f.to, f.value) == (from, to, value)) {
                    let agent = calls.remove(i).agent;
                    e.event = TokenEvent::Move(Move {
                        kind: MoveKind::ForcedTransfer,
                        partition: None,
                        operator: agent,
                        from,
                        to,
                        value,
                        reason: String::new(),
                        moves_balance: true,
                    });
                }
            }
        }
        TokenEvent::TokenInformation { name, symbol, .. } => {
            if let Some((n, s)) = reads.strings.get(&(contract, block)) {
                (*name, *symbol) = (n.clone(), s.clone());
            }
        }
        TokenEvent::Identity { investor, country: c, .. } => {
            if let Some(country) = country {
                *c = country;
            }
            if let Some(wallet) = wallet {
                *investor = wallet;
            }
        }
        _ => {}
    }
    LogRecord::Event(e)
}

/// What settling decided, by the record's index in the range.
#[derive(Debug, Default)]
struct Settled {
    /// A `ChangedPartition`'s holder; `None` when no `TransferByPartition` came before it.
    holders: HashMap<usize, Option<Address>>,
    /// Whether a movement changes balances.
    moves_balance: HashMap<usize, bool>,
    /// A wallet's lock event that repeats an investor's lock event of its transaction.
    lock_copies: std::collections::HashSet<usize>,
}

/// The decisions for the movements and partition changes of every transaction.
fn decide(records: &[LogRecord]) -> Settled {
    let mut transactions: HashMap<(B256, Address), Vec<usize>> = HashMap::new();
    for r in records.iter() {
        if let LogRecord::Event(e) = r {
            if matches!(e.event, TokenEvent::Move(_) | TokenEvent::ChangedPartition { .. } | TokenEvent::Lock(_)) {
                transactions.entry((e.meta.tx_hash, e.meta.contract)).or_default();
            }
        }
    }
    let mut settled = Settled::default();
    if transactions.is_empty() {
        return settled;
    }
    for (i, r) in records.iter().enumerate() {
        if let LogRecord::Event(e) = r {
            if let Some(tx) = transactions.get_mut(&(e.meta.tx_hash, e.meta.contract)) {
                tx.push(i);
            }
        }
    }
    for indices in transactions.values() {
        decide_transaction(records, indices, &mut settled);
    }
    settled
}

fn decide_transaction(records: &[LogRecord], indices: &[usize], settled: &mut Settled) {
    let event = |i: usize| match &records[i] {
        LogRecord::Event(e) => Some(&e.event),
        _ => None,
    };
    // DS's investor-based lock manager emits an investor's `HolderLocked` and then the wallet's
    // `Locked` for one lock (and `Unlocked` then `HolderUnlocked` to remove it): the wallet's is
    // the copy. Each investor event pairs with one wallet event with the same facts.
    let facts = |l: &registrar_schemas::LockChange| {
        (l.locked, l.value, l.reason, l.reason_text.clone(), l.release_time, l.partition)
    };
    let mut investor_locks: Vec<_> = indices
        .iter()
        .filter_map(|&i| match event(i) {
            Some(TokenEvent::Lock(l)) if !l.investor.is_empty() => Some(facts(l)),
            _ => None,
        })
        .collect();
    for &i in indices {
        let Some(TokenEvent::Lock(l)) = event(i) else { continue };
        if l.investor.is_empty() {
            if let Some(at) = investor_locks.iter().position(|f| *f == facts(l)) {
                investor_locks.swap_remove(at);
                settled.lock_copies.insert(i);
            }
        }
    }
    // What the events counted so far state, by (from, to).
    let mut counted: HashMap<(Address, Address), U256> = HashMap::new();
    let mut last_recipient = None;
    for &i in indices {
        match event(i) {
            Some(TokenEvent::Transfer { from, to, value }) => {
                let sum = counted.entry((*from, *to)).or_default();
                *sum = sum.saturating_add(*value);
            }
            Some(TokenEvent::Move(m)) if m.kind == MoveKind::ForcedTransfer => {
                let sum = counted.entry((m.from, m.to)).or_default();
                *sum = sum.saturating_add(m.value);
            }
            Some(TokenEvent::Move(m)) if m.kind == MoveKind::TransferByPartition => last_recipient = Some(m.to),
            Some(TokenEvent::ChangedPartition { .. }) => {
                settled.holders.insert(i, last_recipient);
            }
            _ => {}
        }
    }
    for precedence in 1..=3 {
        let mut stated = counted.clone();
        for &i in indices {
            let Some(TokenEvent::Move(m)) = event(i) else { continue };
            if m.kind.precedence() != precedence {
                continue;
            }
            let left = stated.entry((m.from, m.to)).or_default();
            if *left >= m.value {
                *left -= m.value;
                settled.moves_balance.insert(i, false);
            } else {
                settled.moves_balance.insert(i, true);
                let sum = counted.entry((m.from, m.to)).or_default();
                *sum = sum.saturating_add(m.value);
            }
        }
    }
}

/// A `ChangedPartition` that cannot be attributed, as the log it was.
fn changed_partition_without_transfer(record: LogRecord) -> LogRecord {
    let LogRecord::Event(e) = &record else { return record };
    let TokenEvent::ChangedPartition { from_partition, to_partition, value, .. } = e.event else {
        return record;
    };
    let log = erc1400::ChangedPartition { _fromPartition: from_partition, _toPartition: to_partition, _value: value }
        .encode_log_data();
    LogRecord::Undecoded(UndecodedLog {
        meta: e.meta,
        topics: log.topics().to_vec(),
        data: log.data,
        reason: "ChangedPartition without a TransferByPartition before it in the transaction: no holder".into(),
    })
}

#[cfg(test)]
mod tests {
    use crate::{decode_log, Decoded};

    use super::*;
    use crate::decode::movement as mv;

    fn record(tx: u8, log_index: u32, event: TokenEvent) -> LogRecord {
        use registrar_schemas::{BlockNumber, BlockRef, ChainEvent, ChainId, EventMeta};
        let block = BlockRef { number: BlockNumber(1), hash: B256::ZERO, parent_hash: B256::ZERO, timestamp: 0 };
        LogRecord::Event(ChainEvent {
            meta: EventMeta {
                chain_id: ChainId(1),
                block,
                tx_hash: B256::repeat_byte(tx),
                tx_index: tx.into(),
                log_index,
                contract: Address::repeat_byte(0xcc),
            },
            event,
        })
    }

    fn counted(r: &LogRecord) -> Option<bool> {
        match r {
            LogRecord::Event(e) => match &e.event {
                TokenEvent::Move(m) => Some(m.moves_balance),
                _ => None,
            },
            _ => None,
        }
    }

    #[test]
    fn each_movement_is_counted_once_per_transaction() {
        let (op, a, b, z) = (Address::repeat_byte(7), Address::repeat_byte(1), Address::repeat_byte(2), Address::ZERO);
        let (p, q) = (B256::repeat_byte(0x11), B256::repeat_byte(0x22));
        let (v, half) = (U256::from(10u64), U256::from(5u64));
        let records = vec![
            // tx 1, UniversalToken's issuance: Issued, Transfer, IssuedByPartition. Only Transfer counts.
            record(1, 0, mv(MoveKind::Issued, None, op, z, a, v)),
            record(1, 1, TokenEvent::Transfer { from: z, to: a, value: v }),
            record(1, 2, mv(MoveKind::IssuedByPartition, Some(p), op, z, a, v)),
            // tx 2, a token without ERC-20 events: IssuedByPartition counts, Issued does not.
            record(2, 3, mv(MoveKind::IssuedByPartition, Some(p), z, z, a, v)),
            record(2, 4, mv(MoveKind::Issued, None, op, z, a, v)),
            // tx 3: a controller transfer in two partition chunks, no Transfer: the chunks count,
            // the ControllerTransfer for the whole does not; ChangedPartition takes b.
            record(3, 5, mv(MoveKind::TransferByPartition, Some(p), op, a, b, half)),
            record(3, 6, TokenEvent::ChangedPartition { holder: z, from_partition: p, to_partition: q, value: half }),
            record(3, 7, mv(MoveKind::TransferByPartition, Some(q), op, a, b, half)),
            record(3, 8, mv(MoveKind::ControllerTransfer, None, op, a, b, v)),
            // tx 4: two identical moves with two Transfers emitted after them: none counts twice.
            record(4, 9, mv(MoveKind::TransferByPartition, Some(p), op, a, b, half)),
            record(4, 10, mv(MoveKind::TransferByPartition, Some(p), op, a, b, half)),
            record(4, 11, TokenEvent::Transfer { from: a, to: b, value: half }),
            record(4, 12, TokenEvent::Transfer { from: a, to: b, value: half }),
            // tx 5: a Transfer of another pair does not cover a redemption.
            record(5, 13, TokenEvent::Transfer { from: a, to: b, value: v }),
            record(5, 14, mv(MoveKind::ControllerRedemption, None, op, a, z, v)),
            // tx 6: ChangedPartition with nothing before it.
            record(6, 15, TokenEvent::ChangedPartition { holder: z, from_partition: p, to_partition: q, value: v }),
        ];
        let records = settle(records, &RangeReads::default());
        let flags: Vec<Option<bool>> = records.iter().map(counted).collect();
        assert_eq!(
            flags,
            vec![
                Some(false),
                None,
                Some(false),
                Some(true),
                Some(false),
                Some(true),
                None,
                Some(true),
                Some(false),
                Some(false),
                Some(false),
                None,
                None,
                None,
                Some(true),
                None,
            ]
        );
        let LogRecord::Event(e) = &records[6] else { panic!() };
        assert_eq!(
            e.event,
            TokenEvent::ChangedPartition { holder: b, from_partition: p, to_partition: q, value: half }
        );
        match &records[15] {
            LogRecord::Undecoded(u) => {
                assert!(u.reason.contains("without a TransferByPartition"), "{}", u.reason);
                // The log as it was: decoding it again gives the event back.
                assert!(matches!(decode_log(&u.topics, &u.data), Decoded::Event(TokenEvent::ChangedPartition { .. })));
            }
            other => panic!("{other:?}"),
        }
    }

    /// What the chain answered completes the records it is about, and only those: a forced
    /// transfer (matched by sender, recipient and amount, each call once), a token's strings, a
    /// stored identity's country, an update's wallet.
    #[test]
    fn reads_complete_the_records_they_are_about() {
        use registrar_schemas::IdentityAction;
        let (a, b, agent, id) =
            (Address::repeat_byte(1), Address::repeat_byte(2), Address::repeat_byte(9), Address::repeat_byte(5));
        let token = Address::repeat_byte(0xcc);
        let v = U256::from(10u64);
        let decoded = vec![
            record(1, 0, TokenEvent::Transfer { from: a, to: b, value: v }),
            record(1, 1, TokenEvent::Transfer { from: a, to: b, value: v }),
            record(
                2,
                2,
                TokenEvent::TokenInformation {
                    name: "0xhash".into(),
                    symbol: "0xhash".into(),
                    decimals: 0,
                    version: "4".into(),
                    onchain_id: Address::ZERO,
                },
            ),
            record(
                3,
                3,
                TokenEvent::Identity {
                    action: IdentityAction::Stored,
                    investor: a,
                    identity: id,
                    previous: Address::ZERO,
                    country: 0,
                },
            ),
            record(
                4,
                4,
                TokenEvent::Identity {
                    action: IdentityAction::Modified,
                    investor: Address::ZERO,
                    identity: id,
                    previous: b,
                    country: 0,
                },
            ),
        ];
        let mut reads = RangeReads::default();
        reads.forced.insert((B256::repeat_byte(1), token), vec![ForcedTransfer { from: a, to: b, value: v, agent }]);
        reads.strings.insert((token, 1), ("Acme".into(), "ACME".into()));
        reads.countries.insert((token, a, true, 1), 250);
        reads.wallets.insert((B256::repeat_byte(4), id), b);
        let events: Vec<TokenEvent> = settle(decoded, &reads)
            .into_iter()
            .map(|r| match r {
                LogRecord::Event(e) => e.event,
                other => panic!("{other:?}"),
            })
            .collect();
        let forced = Move {
            reason: String::new(),
            kind: MoveKind::ForcedTransfer,
            partition: None,
            operator: agent,
            from: a,
            to: b,
            value: v,
            moves_balance: true,
        };
        assert_eq!(events[0], TokenEvent::Move(forced), "the first matching transfer is the forced one");
        assert_eq!(events[1], TokenEvent::Transfer { from: a, to: b, value: v }, "one call forces one transfer");
        assert!(
            matches!(&events[2], TokenEvent::TokenInformation { name, symbol, .. } if name == "Acme" && symbol == "ACME")
        );
        assert!(matches!(events[3], TokenEvent::Identity { country: 250, investor, .. } if investor == a));
        assert!(matches!(events[4], TokenEvent::Identity { investor, .. } if investor == b));
    }

    /// The investor-based DS lock manager's wallet copy of a lock is not counted; a wallet's lock
    /// alone (the wallet-based manager) is.
    #[test]
    fn a_wallets_copy_of_an_investors_lock_is_not_counted() {
        use registrar_schemas::LockChange;
        let lock = |investor: &str, wallet: Address| {
            TokenEvent::Lock(LockChange {
                locked: true,
                wallet,
                investor: investor.into(),
                value: U256::from(5),
                reason: U256::ZERO,
                reason_text: "manual".into(),
                release_time: U256::ZERO,
                partition: None,
                counted: true,
            })
        };
        let w = Address::repeat_byte(3);
        let decoded =
            vec![record(1, 0, lock("inv-1", Address::ZERO)), record(1, 1, lock("", w)), record(2, 2, lock("", w))];
        let counted: Vec<bool> = settle(decoded, &RangeReads::default())
            .into_iter()
            .map(|r| match r {
                LogRecord::Event(e) => match e.event {
                    TokenEvent::Lock(l) => l.counted,
                    _ => panic!(),
                },
                _ => panic!(),
            })
            .collect();
        assert_eq!(counted, [true, false, true]);
    }
}
