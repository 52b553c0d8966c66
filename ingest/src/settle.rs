//! Settling the events of one transaction that only mean something together: an ERC-1400
//! movement that an ERC-20 `Transfer` also states is counted once, and a `ChangedPartition` gets
//! the holder of the `TransferByPartition` before it.

use std::collections::HashMap;

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::SolEvent,
};
use registrar_schemas::{abi::erc1400, LogRecord, MoveKind, TokenEvent, UndecodedLog};

/// Settles the events of each transaction (per contract) that only mean something together:
///
/// - A movement is counted once. ERC-20 `Transfer`s count first; then each [`MoveKind`] in order
///   of [`MoveKind::precedence`] counts only what the events before it in that order do not
///   already state (matched by sender and recipient, amounts summed, so one `Transfer` per chunk
///   and one `ControllerTransfer` for the whole move match). Unmatched movements count.
/// - `ChangedPartition` names no holder: it is the recipient of the `TransferByPartition` just
///   before it. Without one the log is kept as undecodable.
///
/// `records` are one range, in chain order; a transaction's logs are never split across ranges.
pub fn settle_transactions(records: &mut [LogRecord]) {
    let mut transactions: HashMap<(B256, Address), Vec<usize>> = HashMap::new();
    for r in records.iter() {
        if let LogRecord::Event(e) = r {
            if matches!(e.event, TokenEvent::Move(_) | TokenEvent::ChangedPartition { .. }) {
                transactions.entry((e.meta.tx_hash, e.meta.contract)).or_default();
            }
        }
    }
    if transactions.is_empty() {
        return;
    }
    for (i, r) in records.iter().enumerate() {
        if let LogRecord::Event(e) = r {
            if let Some(tx) = transactions.get_mut(&(e.meta.tx_hash, e.meta.contract)) {
                tx.push(i);
            }
        }
    }
    for indices in transactions.values() {
        settle_transaction(records, indices);
    }
}

fn settle_transaction(records: &mut [LogRecord], indices: &[usize]) {
    // What the events counted so far state, by (from, to).
    let mut counted: HashMap<(Address, Address), U256> = HashMap::new();
    let mut last_recipient = None;
    let mut unattributed = Vec::new();
    for &i in indices {
        let LogRecord::Event(e) = &mut records[i] else { continue };
        match &mut e.event {
            TokenEvent::Transfer { from, to, value } => {
                let sum = counted.entry((*from, *to)).or_default();
                *sum = sum.saturating_add(*value);
            }
            TokenEvent::Move(m) if m.kind == MoveKind::ForcedTransfer => {
                let sum = counted.entry((m.from, m.to)).or_default();
                *sum = sum.saturating_add(m.value);
            }
            TokenEvent::Move(m) if m.kind == MoveKind::TransferByPartition => last_recipient = Some(m.to),
            TokenEvent::ChangedPartition { holder, .. } => match last_recipient {
                Some(to) => *holder = to,
                None => unattributed.push(i),
            },
            _ => {}
        }
    }
    for i in unattributed {
        records[i] = changed_partition_without_transfer(&records[i]);
    }
    for precedence in 1..=3 {
        let mut stated = counted.clone();
        for &i in indices {
            let LogRecord::Event(e) = &mut records[i] else { continue };
            let TokenEvent::Move(m) = &mut e.event else { continue };
            if m.kind.precedence() != precedence {
                continue;
            }
            let left = stated.entry((m.from, m.to)).or_default();
            if *left >= m.value {
                *left -= m.value;
                m.moves_balance = false;
            } else {
                m.moves_balance = true;
                let sum = counted.entry((m.from, m.to)).or_default();
                *sum = sum.saturating_add(m.value);
            }
        }
    }
}

/// A `ChangedPartition` that cannot be attributed, as the log it was.
fn changed_partition_without_transfer(record: &LogRecord) -> LogRecord {
    let LogRecord::Event(e) = record else { return record.clone() };
    let TokenEvent::ChangedPartition { from_partition, to_partition, value, .. } = e.event else {
        return record.clone();
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
        let mut records = vec![
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
        settle_transactions(&mut records);
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
}
