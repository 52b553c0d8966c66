//! The decoder on its hot path: one log to one event, by the first topic. The table has one
//! entry per signature (ERC-20 first); these measure the first entry, a late one, the ERC-1400
//! settlement of a range, and an unknown topic (a full scan).

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::SolEvent,
};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use registrar_ingest::{decode_log, settle, Decoded, RangeReads};
use registrar_schemas::{
    abi::{self, capital},
    BlockNumber, BlockRef, ChainEvent, ChainId, EventMeta, LogRecord,
};

fn encode<E: SolEvent>(e: &E) -> (Vec<B256>, Vec<u8>) {
    let data = e.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn bench(c: &mut Criterion) {
    let (a, b) = (Address::repeat_byte(1), Address::repeat_byte(2));
    let transfer = encode(&abi::Transfer { from: a, to: b, value: U256::from(7) });
    let late = encode(&capital::Defaulted { classId: U256::from(1), nonceId: U256::from(2), reason: "late".into() });
    let unknown = (vec![B256::repeat_byte(0xee), B256::ZERO], vec![0u8; 32]);
    let mut group = c.benchmark_group("decode");
    group.throughput(Throughput::Elements(1));
    for (name, (topics, data)) in [("transfer", &transfer), ("late table entry", &late), ("unknown topic", &unknown)] {
        group.bench_function(name, |bench| bench.iter(|| decode_log(topics, data)));
    }
    // A range of 1,000 Transfers (no ERC-1400 events): what settlement costs every range.
    let block = BlockRef { number: BlockNumber(1), hash: B256::ZERO, parent_hash: B256::ZERO, timestamp: 0 };
    let records: Vec<LogRecord> = (0..1_000u32)
        .map(|i| {
            let Decoded::Event(event) = decode_log(&transfer.0, &transfer.1) else { unreachable!() };
            let meta = EventMeta {
                chain_id: ChainId(1),
                block,
                tx_hash: B256::with_last_byte((i / 100) as u8),
                tx_index: i / 100,
                log_index: i,
                contract: Address::repeat_byte(9),
            };
            LogRecord::Event(ChainEvent { meta, event })
        })
        .collect();
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("settle 1,000 transfers", |bench| {
        bench.iter_batched(|| records.clone(), |r| settle(r, &RangeReads::default()), BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
