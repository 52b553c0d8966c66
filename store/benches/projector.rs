//! Hot paths of the store: applying transfer records (the projector's replay rate) and reading
//! the top 100 holders of a token.

use std::sync::Arc;

use alloy::primitives::{Address, B256, U160, U256};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use registrar_log::{Metrics, Partition, RawRecord};
use registrar_schemas::{
    BlockNumber, BlockRef, BlocksCommitted, ChainEvent, ChainId, EventMeta, LogOffset, LogRecord, TokenEvent,
};
use registrar_store::{HolderOrder, Projector, StateDb};

const TOKEN: Address = Address::repeat_byte(0xee);
const PER_BLOCK: u64 = 100;

/// `n` transfers, minted to `holders` addresses round robin, then moved between them; a commit
/// record per block, with every block final (as in a backfill far behind the head).
fn records(n: u64, holders: u64, from_offset: u64) -> Vec<RawRecord> {
    let mut out = Vec::new();
    let mut offset = from_offset;
    let mut push = |r: LogRecord, out: &mut Vec<RawRecord>| {
        out.push(RawRecord::new(Partition(0), LogOffset(offset), r.encode()));
        offset += 1;
    };
    let holder = |i: u64| Address::from(U160::from(0x1000 + i % holders));
    for i in 0..n {
        let block = 1 + (from_offset + i) / PER_BLOCK;
        let (from, to) = if i < holders { (Address::ZERO, holder(i)) } else { (holder(i), holder(i * 7 + 1)) };
        let meta = EventMeta {
            chain_id: ChainId(1),
            block: BlockRef { number: BlockNumber(block), hash: B256::ZERO, parent_hash: B256::ZERO, timestamp: block },
            tx_hash: B256::ZERO,
            tx_index: 0,
            log_index: (i % PER_BLOCK) as u32,
            contract: TOKEN,
        };
        let value = U256::from(if i < holders { 1_000 } else { 1 });
        push(LogRecord::Event(ChainEvent { meta, event: TokenEvent::Transfer { from, to, value } }), &mut out);
        if (i + 1) % PER_BLOCK == 0 {
            let c = BlocksCommitted {
                chain_id: ChainId(1),
                block: BlockNumber(block),
                block_hash: B256::ZERO,
                head: BlockNumber(1_000_000),
                finalized: BlockNumber(1_000_000 - 12),
            };
            push(LogRecord::Committed(c), &mut out);
        }
    }
    out
}

fn apply(c: &mut Criterion) {
    // 100,000 holders minted, then 50,000 transfers between them, as `registrar bench` makes.
    let log = records(150_000, 100_000, 0);
    let events = log.iter().filter(|r| matches!(r.decode(), Ok(LogRecord::Event(_)))).count();
    let mut group = c.benchmark_group("projector");
    group.throughput(Throughput::Elements(events as u64));
    group.sample_size(10);
    group.bench_function("replay 150,000 transfers into an empty store, batches of 4096", |b| {
        b.iter_custom(|iterations| {
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..iterations {
                let dir = tempfile::tempdir().unwrap();
                let db = Arc::new(StateDb::open(dir.path()).unwrap());
                let projector = Projector::new(db, Arc::new(Metrics::default()));
                // Opening and closing the store are not part of the rate.
                let started = std::time::Instant::now();
                for batch in log.chunks(4096) {
                    projector.apply(batch).unwrap();
                }
                spent += started.elapsed();
            }
            spent
        })
    });
    group.finish();
}

fn top_holders(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(StateDb::open(dir.path()).unwrap());
    let projector = Projector::new(db.clone(), Arc::new(Metrics::default()));
    let all = records(100_000, 50_000, 0);
    for chunk in all.chunks(4096) {
        projector.apply(chunk).unwrap();
    }
    let latest = db.chain_status().unwrap().unwrap().indexed_block.0;
    c.bench_function("top 100 holders of 50,000 (latest block)", |b| {
        b.iter(|| db.holders_at(TOKEN, latest, HolderOrder::BalanceDesc, 100, None).unwrap())
    });
}

criterion_group!(benches, apply, top_holders);
criterion_main!(benches);
