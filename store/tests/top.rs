//! A historical top-N read from checkpoints of the top holders equals the one read from the whole
//! history: for tokens with more holders than a checkpoint keeps, at blocks before, at and after
//! checkpoints, for pages that reach below a checkpoint's last row, with cursors, and after a
//! reorg that abandons checkpointed blocks.

use std::sync::Arc;

use alloy::primitives::{Address, B256, U256};
use proptest::prelude::*;
use registrar_log::{Metrics, Partition, RawRecord};
use registrar_schemas::{
    BlockNumber, BlockRef, BlocksCommitted, ChainEvent, ChainId, EventMeta, LogOffset, LogRecord, Reverted,
    TokenDiscovered, TokenEvent,
};
use registrar_store::{HolderOrder, HolderRow, Projector, StateDb};

const TOKEN: Address = Address::repeat_byte(0xee);

fn holder(i: u64) -> Address {
    let mut a = [0u8; 20];
    a[12..].copy_from_slice(&(i + 1).to_be_bytes());
    Address::from(a)
}

/// A deterministic chain of transfers: `holders` mints, then trading, `per_block` a block.
fn blocks(seed: u64, holders: u64, trades: usize, per_block: usize) -> Vec<Vec<TokenEvent>> {
    let mut x = seed.max(1);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut balances = vec![0u64; holders as usize];
    let mut events = Vec::new();
    for (i, b) in balances.iter_mut().enumerate() {
        let value = 1 + next() % 1_000_000;
        *b = value;
        events.push(TokenEvent::Transfer { from: Address::ZERO, to: holder(i as u64), value: U256::from(value) });
    }
    for _ in 0..trades {
        let (from, to) = ((next() % holders) as usize, (next() % holders) as usize);
        // Whole balances move now and then, so holders leave the register and come back.
        let value = if next() % 5 == 0 { balances[from] } else { balances[from] / (1 + next() % 4) };
        if value == 0 || from == to {
            continue;
        }
        balances[from] -= value;
        balances[to] += value;
        events.push(TokenEvent::Transfer {
            from: holder(from as u64),
            to: holder(to as u64),
            value: U256::from(value),
        });
    }
    events.chunks(per_block).map(<[TokenEvent]>::to_vec).collect()
}

fn meta(block: u64, log_index: u32, branch: u8) -> EventMeta {
    EventMeta {
        chain_id: ChainId(1),
        block: BlockRef {
            number: BlockNumber(block),
            hash: B256::from(U256::from(block * 2 + u64::from(branch))),
            parent_hash: B256::ZERO,
            timestamp: 1_700_000_000 + block * 12,
        },
        tx_hash: B256::with_last_byte(log_index as u8),
        tx_index: 0,
        log_index,
        contract: TOKEN,
    }
}

/// The log of `blocks` from block `first`, each block's events then its commit.
fn log(blocks: &[Vec<TokenEvent>], first: u64, head: u64, confirmations: u64, branch: u8) -> Vec<LogRecord> {
    let mut out = Vec::new();
    for (i, events) in blocks.iter().enumerate() {
        let block = first + i as u64;
        for (j, e) in events.iter().enumerate() {
            out.push(LogRecord::Event(ChainEvent { meta: meta(block, j as u32, branch), event: e.clone() }));
        }
        out.push(LogRecord::Committed(BlocksCommitted {
            chain_id: ChainId(1),
            block: BlockNumber(block),
            block_hash: B256::from(U256::from(block * 2 + u64::from(branch))),
            head: BlockNumber(head),
            finalized: BlockNumber(head.saturating_sub(confirmations)),
        }));
    }
    out
}

/// The page from the whole history: every listed holder after `block`, sorted.
fn scanned(db: &StateDb, block: u64) -> Vec<HolderRow> {
    let mut rows = db.holder_register(TOKEN, block).unwrap();
    rows.sort_by(|a, b| b.state.balance.cmp(&a.state.balance).then(a.address.cmp(&b.address)));
    rows
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn top_holders_from_checkpoints_equal_the_history(
        seed in any::<u64>(),
        holders in prop_oneof![Just(300u64), Just(2_600u64)],
        cut in 1usize..12,
        first in prop_oneof![Just(1usize), Just(10), Just(100), Just(1_000)],
    ) {
        let chain = blocks(seed, holders, 9_000, 120);
        let n = chain.len() as u64;
        // The last eight blocks are not final; a reorg replaces the last five with others.
        let mut records = vec![LogRecord::TokenDiscovered(TokenDiscovered {
            chain_id: ChainId(1), address: TOKEN, name: "T".into(), symbol: "T".into(), decimals: 0, block: BlockNumber(1),
        })];
        records.extend(log(&chain, 1, n, 8, 0));
        records.push(LogRecord::Reverted(Reverted {
            chain_id: ChainId(1),
            common_ancestor: BlockNumber(n - 5),
            common_ancestor_hash: B256::from(U256::from((n - 5) * 2)),
            abandoned_tip: BlockNumber(n),
        }));
        let replacement = blocks(seed ^ 0x5a5a, holders.min(40), 400, 120);
        records.extend(log(&replacement[..replacement.len().min(5)], n - 4, n + 1, 8, 1));
        let raw: Vec<RawRecord> = records
            .iter()
            .enumerate()
            .map(|(i, r)| RawRecord::new(Partition(0), LogOffset(i as u64), r.encode()))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(StateDb::open(dir.path()).unwrap());
        let projector = Projector::new(db.clone(), Arc::new(Metrics::default()));
        // Batches of `cut` blocks, each ending on a block's commit (where checkpoints go), and one
        // cut in the middle of a block.
        let mut start = 0;
        let mut commits = 0;
        for (i, r) in records.iter().enumerate() {
            let ends_block = matches!(r, LogRecord::Committed(_));
            commits += usize::from(ends_block);
            let mid_block = i == start + 37 && commits == cut;
            if (ends_block && commits % cut == 0) || mid_block || i + 1 == records.len() {
                projector.apply(&raw[start..=i]).unwrap();
                start = i + 1;
            }
        }
        if holders > 2_000 {
            prop_assert!(!db.top_checkpoint_blocks(TOKEN).unwrap().is_empty(), "the chain is long enough for checkpoints");
        }
        let latest = db.chain_status().unwrap().unwrap().indexed_block.0;
        for block in [n / 3, n / 2, 2 * n / 3, n - 6, n - 5, latest - 1] {
            let expected = scanned(&db, block);
            let mut after: Option<String> = None;
            let mut at = 0;
            // Two pages: the second continues from the first's cursor.
            for _ in 0..2 {
                let page = db.holders_at(TOKEN, block, HolderOrder::BalanceDesc, first, after.as_deref()).unwrap();
                let want: Vec<HolderRow> = expected.iter().skip(at).take(first).copied().collect();
                prop_assert_eq!(&page.rows, &want, "block {} rows {}..", block, at);
                prop_assert_eq!(page.has_next, expected.len() > at + first);
                at += page.rows.len();
                after = page.end_cursor;
                if after.is_none() {
                    break;
                }
            }
        }
    }
}
