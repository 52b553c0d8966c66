//! How any value is read as of a block: the last change at or before it in its history table.

use rocksdb::{Direction, IteratorMode};

use crate::{
    codec::Codec,
    db::{corrupt, decode},
    tables::*,
    StateDb, StoreError,
};

impl StateDb {
    /// The newest row at or before `block` of each group of a history table under `prefix`, in
    /// key order: `split` gives a key's group (what precedes its block) and block; rows `keep`
    /// refuses (a removal, a zero balance) are left out. Keys sort by group, then block.
    pub(super) fn history_at<T: Table, G: PartialEq + Copy>(
        &self,
        prefix: &[u8],
        block: u64,
        split: impl Fn(&T::Key) -> (G, u64),
        keep: impl Fn(&T::Value) -> bool,
    ) -> Result<Vec<(G, T::Value)>, StoreError> {
        let mut out = Vec::new();
        let mut group: Option<G> = None;
        let mut current: Option<(G, T::Value)> = None;
        for item in self.db.iterator_cf(self.cf::<T>(), IteratorMode::From(prefix, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            if !k.starts_with(prefix) {
                break;
            }
            let (g, at) = split(&T::Key::decode(&k).map_err(corrupt::<T>)?);
            if group != Some(g) {
                out.extend(current.take().filter(|(_, v)| keep(v)));
                group = Some(g);
            }
            if at <= block {
                current = Some((g, decode::<T>(&v)?));
            }
        }
        out.extend(current.filter(|(_, v)| keep(v)));
        Ok(out)
    }

    /// The newest row of history table `T` at or before the block `key` ends with: the row before
    /// or at `key` whose first `group` bytes (what precedes the block) are `key`'s.
    pub(super) fn value_at<T: Table>(&self, key: &T::Key, group: usize) -> Result<Option<T::Value>, StoreError> {
        let key = key.encode();
        let mut it = self.db.raw_iterator_cf(self.cf::<T>());
        it.seek_for_prev(&key);
        match (it.key(), it.value()) {
            (Some(k), Some(v)) if k.len() == key.len() && k[..group] == key[..group] => Ok(Some(decode::<T>(v)?)),
            _ => {
                it.status()?;
                Ok(None)
            }
        }
    }
}
