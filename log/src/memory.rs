/// RocksDB's memory, by kind, in bytes: what the embedded log and the state report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RocksMemory {
    pub memtables: u64,
    pub block_cache: u64,
    pub table_readers: u64,
}
