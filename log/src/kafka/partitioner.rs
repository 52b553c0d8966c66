//! Routing: which partition a record goes to, as Kafka's Java clients would compute it.

use registrar_schemas::LogRecord;

/// The partitions a record goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The partition of this key.
    Key([u8; 28]),
    /// Every partition.
    All,
}

/// Where `record` belongs.
pub fn route(record: &LogRecord) -> Route {
    let key = |chain: u64, contract: &alloy::primitives::Address| {
        let mut k = [0u8; 28];
        k[..8].copy_from_slice(&chain.to_be_bytes());
        k[8..].copy_from_slice(contract.as_slice());
        Route::Key(k)
    };
    match record {
        LogRecord::Event(e) => key(e.meta.chain_id.0, &e.meta.contract),
        LogRecord::TokenDiscovered(t) => key(t.chain_id.0, &t.address),
        LogRecord::Undecoded(u) => key(u.meta.chain_id.0, &u.meta.contract),
        LogRecord::Committed(_) | LogRecord::Reverted(_) => Route::All,
    }
}

/// The partition of a key: murmur2 as Kafka's Java clients compute it, so any client can tell
/// where a token's records are.
pub fn partition_of(key: &[u8], partitions: usize) -> i32 {
    ((murmur2(key) & 0x7fff_ffff) % partitions as u32) as i32
}

/// Kafka's murmur2 (the Java client's `Utils.murmur2`).
pub(super) fn murmur2(data: &[u8]) -> u32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let len = data.len();
    let mut h = SEED ^ len as u32;
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    match tail.len() {
        3 => {
            h ^= (tail[2] as u32) << 16;
            h ^= (tail[1] as u32) << 8;
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        2 => {
            h ^= (tail[1] as u32) << 8;
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        1 => {
            h ^= tail[0] as u32;
            h = h.wrapping_mul(M);
        }
        _ => {}
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur2_matches_kafka() {
        // Values of org.apache.kafka.common.utils.Utils.murmur2 (Kafka's own unit test).
        assert_eq!(murmur2(b"21") as i32, -973_932_308);
        assert_eq!(murmur2(b"foobar") as i32, -790_332_482);
        assert_eq!(murmur2(b"a-little-bit-long-string") as i32, -985_981_536);
        assert_eq!(murmur2(b"a-little-bit-longer-string") as i32, -1_486_304_829);
        assert_eq!(murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") as i32, -58_897_971);
        assert_eq!(murmur2(b"abc") as i32, 479_470_107);
    }
}
