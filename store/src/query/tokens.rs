//! Tokens and their aggregates as of a block.

use alloy::primitives::{hex, Address};
use rocksdb::{Direction, IteratorMode};

use super::*;
use crate::{
    codec::Codec,
    db::{corrupt, decode},
    tables::*,
    StateDb, StoreError,
};

impl StateDb {
    /// Watched tokens by address, `first` at most, after the cursor.
    pub fn tokens(&self, first: usize, after: Option<&str>) -> Result<Page<TokenInfo>, StoreError> {
        let after = parse_cursor(after, "token cursor")?;
        let start = after.clone().unwrap_or_default();
        let mut rows = Vec::new();
        let mut has_next = false;
        for item in self.db.iterator_cf(self.cf::<Tokens>(), IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            if after.as_deref() == Some(&k[..]) {
                continue;
            }
            if rows.len() == first {
                has_next = true;
                break;
            }
            let address = Address::decode(&k).map_err(corrupt::<Tokens>)?;
            let meta = decode::<Tokens>(&v)?;
            rows.push(TokenInfo {
                address,
                name: meta.name,
                symbol: meta.symbol,
                decimals: meta.decimals,
                discovered_block: meta.discovered_block,
            });
        }
        let end_cursor = rows.last().map(|t| hex::encode(t.address));
        Ok(Page { rows, has_next, end_cursor })
    }

    pub fn token(&self, address: Address) -> Result<Option<TokenInfo>, StoreError> {
        Ok(self.get::<Tokens>(&address)?.map(|meta| TokenInfo {
            address,
            name: meta.name,
            symbol: meta.symbol,
            decimals: meta.decimals,
            discovered_block: meta.discovered_block,
        }))
    }

    /// The token's aggregates after `block`.
    pub fn token_at(&self, token: Address, block: u64) -> Result<TokenSnapshot, StoreError> {
        let key = TokenBlockKey { token, block }.encode();
        let mut it = self.db.raw_iterator_cf(self.cf::<TokenHistory>());
        it.seek_for_prev(&key);
        let state = match (it.key(), it.value()) {
            (Some(k), Some(v)) if k.starts_with(token.as_slice()) => decode::<TokenHistory>(v)?,
            _ => {
                it.status()?;
                TokenState::default()
            }
        };
        Ok(TokenSnapshot {
            total_supply: state.total_supply,
            holder_count: state.holder_count,
            listed_count: state.listed_count,
            paused: state.paused,
        })
    }

    pub(super) fn latest_block(&self) -> Result<u64, StoreError> {
        Ok(self.chain_status()?.map_or(0, |s| s.indexed_block.0))
    }
}
