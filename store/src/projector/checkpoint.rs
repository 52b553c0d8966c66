//! Checkpoints of each token's top holders: every [`CHECKPOINT_EVERY`] holder changes, after a
//! batch that ends on a block's commit, the first [`CHECKPOINT_SIZE`] rows of the balance index
//! are kept under that block. A historical top-N then reads the checkpoint at or before its block
//! and the holders changed since (`HolderChanges`) instead of the token's whole history
//! (`StateDb::holders_at`).

use alloy::primitives::Address;
use rocksdb::{Direction, IteratorMode};

use super::Projector;
use crate::{codec::Codec, db::decode, tables::*, StateDb, StoreError};

/// Holder changes of a token between two checkpoints: what a historical page reads at most
/// besides the checkpoint (about 110 KiB a checkpoint, one per 4,096 transfers).
pub const CHECKPOINT_EVERY: u64 = 8192;
/// Rows kept in a checkpoint: a page of up to about a thousand holders is answered from it.
pub const CHECKPOINT_SIZE: usize = 1024;

impl Projector {
    /// Whether a token's holder changes, this batch's included, reached [`CHECKPOINT_EVERY`]
    /// since its last checkpoint.
    pub(super) fn checkpoint_due(&self, batch: &super::cache::HashMap<Address, u64>) -> bool {
        let since = self.since_checkpoint.lock().expect("checkpoint counters lock poisoned");
        batch.iter().any(|(token, n)| since.get(token).copied().unwrap_or(0) + n >= CHECKPOINT_EVERY)
    }

    /// Counts a written batch's holder changes per token and checkpoints the tokens that reached
    /// [`CHECKPOINT_EVERY`] since their last checkpoint, if the state is exactly after a block
    /// (`boundary`).
    pub(super) fn checkpoint_top_holders(
        &self,
        changes: super::cache::HashMap<Address, u64>,
        boundary: Option<u64>,
    ) -> Result<(), StoreError> {
        let mut since = self.since_checkpoint.lock().expect("checkpoint counters lock poisoned");
        for (token, n) in changes {
            *since.entry(token).or_default() += n;
        }
        let Some(block) = boundary else { return Ok(()) };
        let due: Vec<Address> = since.iter().filter(|(_, n)| **n >= CHECKPOINT_EVERY).map(|(t, _)| *t).collect();
        for token in due {
            self.db.write_top_checkpoint(token, block)?;
            since.remove(&token);
            tracing::debug!(target: "projector", %token, block, "top holders checkpointed");
        }
        Ok(())
    }
}

impl StateDb {
    /// Keeps the first [`CHECKPOINT_SIZE`] rows of `token`'s balance index as the top holders
    /// after `block` (the state must be exactly after it).
    pub(crate) fn write_top_checkpoint(&self, token: Address, block: u64) -> Result<(), StoreError> {
        let mut batch = rocksdb::WriteBatch::default();
        let cf = self.cf::<TopCheckpoints>();
        let index = self
            .db
            .iterator_cf(self.cf::<HoldersByBalance>(), IteratorMode::From(token.as_slice(), Direction::Forward));
        for (rank, item) in index.take(CHECKPOINT_SIZE).enumerate() {
            let (k, v) = item?;
            if !k.starts_with(token.as_slice()) {
                break;
            }
            let key = BalanceIndexKey::decode(&k).map_err(crate::db::corrupt::<HoldersByBalance>)?;
            let row = RankedHolder { holder: key.holder, state: decode::<HoldersByBalance>(&v)? };
            batch.put_cf(cf, RankKey { token, block, rank: rank as u32 }.encode(), row.encode());
        }
        // Like the batches it follows: the log makes it recoverable (a lost checkpoint is only a
        // slower query).
        let mut options = rocksdb::WriteOptions::default();
        options.disable_wal(true);
        self.db.write_opt(batch, &options)?;
        Ok(())
    }
}
