//! The reads the API answers with. Every read takes the block it is as of: history tables are
//! searched with `seek_for_prev`, so any block since the first event can be asked.

use alloy::primitives::{hex, Address, B256, U256};
use registrar_schemas::{LogRecord, UndecodedLog};
use rocksdb::{Direction, IteratorMode};

use crate::{
    codec::{Codec, CodecError, Reader},
    db::{corrupt, decode},
    tables::*,
    HolderState, StateDb, StoreError,
};

/// (holder, partition) and its balance.
type PartitionEntry = ((Address, B256), U256);

/// Where the projected chain stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChainStatus {
    pub chain_id: u64,
    pub indexed_block: u64,
    pub indexed_hash: B256,
    pub head_block: u64,
    pub finalized_block: u64,
}

impl Codec for ChainStatus {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.chain_id.to_be_bytes());
        out.extend_from_slice(&self.indexed_block.to_be_bytes());
        out.extend_from_slice(self.indexed_hash.as_slice());
        out.extend_from_slice(&self.head_block.to_be_bytes());
        out.extend_from_slice(&self.finalized_block.to_be_bytes());
    }
    fn decode(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut r = Reader::new("chain status", bytes);
        let v = ChainStatus {
            chain_id: r.u64()?,
            indexed_block: r.u64()?,
            indexed_hash: r.b256()?,
            head_block: r.u64()?,
            finalized_block: r.u64()?,
        };
        r.finish()?;
        Ok(v)
    }
}

/// A token's metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub address: Address,
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    pub discovered_block: u64,
}

/// A token's aggregates as of a block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenSnapshot {
    pub total_supply: U256,
    pub holder_count: u64,
    pub listed_count: u64,
    pub paused: bool,
}

/// How `holders` sorts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HolderOrder {
    BalanceDesc,
    BalanceAsc,
    Address,
}

/// One holder as of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HolderRow {
    pub address: Address,
    pub state: HolderState,
}

/// A page of a list with an opaque cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_next: bool,
    pub end_cursor: Option<String>,
}

pub type HoldersPage = Page<HolderRow>;

/// Which rows of an event list (corporate actions, distributions, votes, requests) to read: a
/// block range, the order, a page.
#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    pub block_gte: Option<u64>,
    pub block_lte: Option<u64>,
    /// Newest first.
    pub descending: bool,
    pub first: usize,
    /// The `endCursor` of the previous page.
    pub after: Option<String>,
}

/// A row of an event list: block, log index, value.
pub type EventRow<V> = (u64, u32, V);

/// Which transfers to list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransferFilter {
    pub from: Option<Address>,
    pub to: Option<Address>,
    pub block_gte: Option<u64>,
    pub block_lte: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferRow {
    pub from: Address,
    pub to: Address,
    pub value: U256,
    pub block_number: u64,
    pub log_index: u32,
    pub tx_hash: B256,
    pub tx_index: u32,
    pub timestamp: u64,
}

/// Why a cursor was refused.
fn bad_cursor(what: &'static str) -> StoreError {
    StoreError::BadCursor(what)
}

fn parse_cursor(cursor: Option<&str>, what: &'static str) -> Result<Option<Vec<u8>>, StoreError> {
    cursor.map(|c| hex::decode(c).map_err(|_| bad_cursor(what))).transpose()
}

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

    /// One account's state after `block`.
    pub fn holder_at(&self, token: Address, holder: Address, block: u64) -> Result<HolderState, StoreError> {
        Ok(self.holder_value_at::<HolderHistory>(token, holder, block)?.unwrap_or_default())
    }

    fn latest_block(&self) -> Result<u64, StoreError> {
        Ok(self.chain_status()?.map_or(0, |s| s.indexed_block))
    }

    /// The listed holders (a balance or any frozen state) after `block`, sorted by `order`.
    pub fn holders_at(
        &self,
        token: Address,
        block: u64,
        order: HolderOrder,
        first: usize,
        after: Option<&str>,
    ) -> Result<HoldersPage, StoreError> {
        let after = parse_cursor(after, "holder cursor")?;
        if order == HolderOrder::BalanceDesc && block >= self.latest_block()? {
            return self.holders_by_balance(token, first, after);
        }
        let mut rows: Vec<(Vec<u8>, HolderRow)> =
            self.listed_holders_at(token, block)?.into_iter().map(|row| (sort_key(order, &row), row)).collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let skip = match &after {
            Some(c) => rows.partition_point(|(k, _)| k <= c),
            None => 0,
        };
        let has_next = rows.len() > skip + first;
        let page: Vec<_> = rows.into_iter().skip(skip).take(first).collect();
        let end_cursor = page.last().map(|(k, _)| hex::encode(k));
        Ok(Page { rows: page.into_iter().map(|(_, r)| r).collect(), has_next, end_cursor })
    }

    /// The fast path: the latest block, by descending balance, read off the balance index.
    fn holders_by_balance(
        &self,
        token: Address,
        first: usize,
        after: Option<Vec<u8>>,
    ) -> Result<HoldersPage, StoreError> {
        let mut start = token.to_vec();
        if let Some(c) = &after {
            start.extend_from_slice(c);
        }
        let mut rows = Vec::with_capacity(first.min(1024));
        let mut has_next = false;
        let mut end_cursor = None;
        for item in self.db.iterator_cf(self.cf::<HoldersByBalance>(), IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            if !k.starts_with(token.as_slice()) {
                break;
            }
            if after.as_deref() == Some(&k[20..]) {
                continue;
            }
            if rows.len() == first {
                has_next = true;
                break;
            }
            let key = BalanceIndexKey::decode(&k).map_err(corrupt::<HoldersByBalance>)?;
            let state = decode::<HoldersByBalance>(&v)?;
            end_cursor = Some(hex::encode(&k[20..]));
            rows.push(HolderRow { address: key.holder, state });
        }
        Ok(Page { rows, has_next, end_cursor })
    }

    /// The holder register of `token` as of `block`: every account holding a balance or any
    /// frozen state after that block, by address.
    pub fn holder_register(&self, token: Address, block: u64) -> Result<Vec<HolderRow>, StoreError> {
        self.listed_holders_at(token, block)
    }

    /// The members of `contract`'s set `kind` after `block` (addresses as words), in member
    /// order, each with the claim topics it carries (a trusted issuer's).
    pub fn members_at(
        &self,
        contract: Address,
        kind: MemberKind,
        block: u64,
    ) -> Result<Vec<(B256, Vec<U256>)>, StoreError> {
        let mut prefix = contract.to_vec();
        prefix.push(kind as u8);
        let rows = self.history_at::<MemberHistory, B256>(&prefix, block, |k| (k.member, k.block), |m| m.present)?;
        Ok(rows.into_iter().map(|(member, m)| (member, m.topics)).collect())
    }

    /// Where `contract`'s link of `kind` pointed after `block`.
    pub fn link_at(&self, contract: Address, kind: LinkKind, block: u64) -> Result<Option<Address>, StoreError> {
        let key = LinkBlockKey { contract, kind, block }.encode();
        let mut it = self.db.raw_iterator_cf(self.cf::<LinkHistory>());
        it.seek_for_prev(&key);
        match (it.key(), it.value()) {
            (Some(k), Some(v)) if k.len() == key.len() && k[..21] == key[..21] => {
                Ok(Some(decode::<LinkHistory>(v)?).filter(|a| !a.is_zero()))
            }
            _ => {
                it.status()?;
                Ok(None)
            }
        }
    }

    /// The identity registry storage that held `token`'s investors' identities after `block`:
    /// the token's identity registry's storage then.
    pub fn identity_storage_at(&self, token: Address, block: u64) -> Result<Option<Address>, StoreError> {
        match self.link_at(token, LinkKind::IdentityRegistry, block)? {
            Some(registry) => self.link_at(registry, LinkKind::IdentityStorage, block),
            None => Ok(None),
        }
    }

    /// `holder`'s identity and country in `token`'s identity registry after `block`, if any.
    pub fn identity_at(
        &self,
        token: Address,
        holder: Address,
        block: u64,
    ) -> Result<Option<IdentityRecord>, StoreError> {
        let Some(storage) = self.identity_storage_at(token, block)? else { return Ok(None) };
        Ok(self.holder_value_at::<IdentityHistory>(storage, holder, block)?.filter(|r| !r.identity.is_zero()))
    }

    /// Every registered investor's identity in `token`'s identity registry after `block`.
    pub fn identity_register(
        &self,
        token: Address,
        block: u64,
    ) -> Result<std::collections::BTreeMap<Address, IdentityRecord>, StoreError> {
        let Some(storage) = self.identity_storage_at(token, block)? else { return Ok(Default::default()) };
        let rows = self.history_at::<IdentityHistory, _>(
            storage.as_slice(),
            block,
            |k| (k.holder, k.block),
            |r| !r.identity.is_zero(),
        )?;
        Ok(rows.into_iter().collect())
    }

    /// A collateral pool's holdings after `block`, by asset (the zero address, first: the
    /// vault's underlying).
    pub fn pool_at(&self, pool: Address, block: u64) -> Result<Vec<(Address, AssetPosition)>, StoreError> {
        self.history_at::<PoolAssetHistory, _>(
            pool.as_slice(),
            block,
            |k| (k.holder, k.block),
            |p| *p != AssetPosition::default(),
        )
    }

    /// A page of `token`'s corporate actions up to `as_of` matching `query` and `keep`.
    pub fn corporate_actions_page(
        &self,
        token: Address,
        as_of: u64,
        query: &EventQuery,
        keep: impl Fn(&CorporateActionValue) -> bool,
    ) -> Result<Page<EventRow<CorporateActionValue>>, StoreError> {
        self.events_page::<CorporateActions>(token, as_of, query, keep)
    }

    /// A page of `token`'s distributions up to `as_of` matching `query` and `keep`.
    pub fn distributions_page(
        &self,
        token: Address,
        as_of: u64,
        query: &EventQuery,
        keep: impl Fn(&DistributionValue) -> bool,
    ) -> Result<Page<EventRow<DistributionValue>>, StoreError> {
        self.events_page::<Distributions>(token, as_of, query, keep)
    }

    /// A page of the votes cast on `token`'s proposals up to `as_of`.
    pub fn votes_page(
        &self,
        token: Address,
        as_of: u64,
        query: &EventQuery,
        keep: impl Fn(&VoteValue) -> bool,
    ) -> Result<Page<EventRow<VoteValue>>, StoreError> {
        self.events_page::<VotesCast>(token, as_of, query, keep)
    }

    /// A page of the ERC-7540 requests made to `pool` up to `as_of`.
    pub fn vault_requests_page(
        &self,
        pool: Address,
        as_of: u64,
        query: &EventQuery,
        keep: impl Fn(&VaultRequestValue) -> bool,
    ) -> Result<Page<EventRow<VaultRequestValue>>, StoreError> {
        self.events_page::<VaultRequests>(pool, as_of, query, keep)
    }

    /// A page of an event table of `token`: rows up to `as_of` in `query`'s block range that
    /// `keep` accepts, in `query`'s order, after its cursor (block ‖ log index, hex).
    fn events_page<T: Table<Key = EventKey>>(
        &self,
        token: Address,
        as_of: u64,
        query: &EventQuery,
        keep: impl Fn(&T::Value) -> bool,
    ) -> Result<Page<EventRow<T::Value>>, StoreError> {
        let low = query.block_gte.unwrap_or(0);
        let high = query.block_lte.map_or(as_of, |b| b.min(as_of));
        let after = match parse_cursor(query.after.as_deref(), "event cursor")? {
            Some(c) => Some(<(u64, u32)>::decode(&c).map_err(|_| bad_cursor("event cursor"))?),
            None => None,
        };
        let (start, direction) = match (query.descending, after) {
            (false, Some((b, l))) => (EventKey { token, block: b, log_index: l }, Direction::Forward),
            (false, None) => (EventKey { token, block: low, log_index: 0 }, Direction::Forward),
            (true, Some((b, l))) => (EventKey { token, block: b, log_index: l }, Direction::Reverse),
            (true, None) => (EventKey { token, block: high, log_index: u32::MAX }, Direction::Reverse),
        };
        let mut rows = Vec::new();
        let mut has_next = false;
        for item in self.db.iterator_cf(self.cf::<T>(), IteratorMode::From(&start.encode(), direction)) {
            let (k, v) = item?;
            crate::budget::check()?;
            let key = EventKey::decode(&k).map_err(corrupt::<T>)?;
            let past_end = if query.descending { key.block < low } else { key.block > high };
            if key.token != token || past_end {
                break;
            }
            if key.block > high || key.block < low {
                continue;
            }
            if after == Some((key.block, key.log_index)) {
                continue;
            }
            let value = decode::<T>(&v)?;
            if !keep(&value) {
                continue;
            }
            if rows.len() == query.first {
                has_next = true;
                break;
            }
            rows.push((key.block, key.log_index, value));
        }
        let end_cursor = rows.last().map(|(b, l, _)| hex::encode((*b, *l).encode()));
        Ok(Page { rows, has_next, end_cursor })
    }

    /// Whom `holder` delegated `token` votes to after `block` (ERC-5805).
    pub fn delegate_at(&self, token: Address, holder: Address, block: u64) -> Result<Option<Address>, StoreError> {
        Ok(self.holder_value_at::<DelegateHistory>(token, holder, block)?.filter(|a| !a.is_zero()))
    }

    /// `delegate`'s voting power in `token` after `block` (ERC-5805).
    pub fn votes_at(&self, token: Address, delegate: Address, block: u64) -> Result<U256, StoreError> {
        Ok(self.holder_value_at::<VoteHistory>(token, delegate, block)?.unwrap_or_default())
    }

    /// The newest row of a (token, holder, block) history table at or before `block`.
    fn holder_value_at<T: Table<Key = HolderBlockKey>>(
        &self,
        token: Address,
        holder: Address,
        block: u64,
    ) -> Result<Option<T::Value>, StoreError> {
        let key = HolderBlockKey { token, holder, block }.encode();
        let mut it = self.db.raw_iterator_cf(self.cf::<T>());
        it.seek_for_prev(&key);
        match (it.key(), it.value()) {
            (Some(k), Some(v)) if k.len() == key.len() && k[..40] == key[..40] => Ok(Some(decode::<T>(v)?)),
            _ => {
                it.status()?;
                Ok(None)
            }
        }
    }

    /// `holder`'s non-zero ERC-3475 balances after `block`: (class, nonce, amount), by class then
    /// nonce. The zero address gives each tranche's supply.
    pub fn bond_positions(
        &self,
        token: Address,
        holder: Address,
        block: u64,
    ) -> Result<Vec<(U256, U256, U256)>, StoreError> {
        let mut prefix = token.to_vec();
        prefix.extend_from_slice(holder.as_slice());
        let rows =
            self.history_at::<BondHistory, _>(&prefix, block, |k| ((k.class, k.nonce), k.block), |v| !v.is_zero())?;
        Ok(rows.into_iter().map(|((class, nonce), v)| (class, nonce, v)).collect())
    }

    /// `holder`'s non-zero ERC-1410 balances by partition after `block`, by partition. The zero
    /// address gives each partition's total supply.
    pub fn partitions_at(&self, token: Address, holder: Address, block: u64) -> Result<Vec<(B256, U256)>, StoreError> {
        let mut prefix = token.to_vec();
        prefix.extend_from_slice(holder.as_slice());
        Ok(self.partition_balances(&prefix, block)?.into_iter().map(|((_, p), v)| (p, v)).collect())
    }

    /// Every account's non-zero balances by partition after `block`, by account then partition
    /// (the zero address: the supply of each partition).
    pub fn partition_register(
        &self,
        token: Address,
        block: u64,
    ) -> Result<std::collections::BTreeMap<Address, Vec<(B256, U256)>>, StoreError> {
        let mut out: std::collections::BTreeMap<Address, Vec<(B256, U256)>> = Default::default();
        for ((holder, partition), value) in self.partition_balances(token.as_slice(), block)? {
            out.entry(holder).or_default().push((partition, value));
        }
        Ok(out)
    }

    /// The partition balances under a key prefix after `block`, non-zero ones, in key order.
    fn partition_balances(&self, prefix: &[u8], block: u64) -> Result<Vec<PartitionEntry>, StoreError> {
        self.history_at::<PartitionHistory, _>(prefix, block, |k| ((k.holder, k.partition), k.block), |v| !v.is_zero())
    }

    /// The newest row at or before `block` of each group of a history table under `prefix`, in
    /// key order: `split` gives a key's group (what precedes its block) and block; rows `keep`
    /// refuses (a removal, a zero balance) are left out. Keys sort by group, then block.
    fn history_at<T: Table, G: PartialEq + Copy>(
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

    /// The audit trail of `token` in blocks `from..=to`: (block, log index, entry), in chain order.
    pub fn audit_trail(&self, token: Address, from: u64, to: u64) -> Result<Vec<(u64, u32, AuditEntry)>, StoreError> {
        let start = EventKey { token, block: from, log_index: 0 }.encode();
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf::<AuditTrail>(), IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            let key = EventKey::decode(&k).map_err(corrupt::<AuditTrail>)?;
            if key.token != token || key.block > to {
                break;
            }
            out.push((key.block, key.log_index, decode::<AuditTrail>(&v)?));
        }
        Ok(out)
    }

    /// The hash and time of `block`, if it holds events of a watched contract.
    pub fn block_info(&self, block: u64) -> Result<Option<BlockInfo>, StoreError> {
        self.get::<Blocks>(&block)
    }

    /// The last block with events whose time is at or before `timestamp` (seconds). A binary
    /// search over the block numbers (block times never decrease along the chain): a few dozen
    /// seeks, not a scan of every block, whatever the chain's length.
    pub fn block_at_time(&self, timestamp: u64) -> Result<Option<(u64, BlockInfo)>, StoreError> {
        let (mut lo, mut hi) = (0u64, u64::MAX);
        let mut found = None;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.first_timed_block_from(mid)? {
                Some((n, info)) if n < hi && info.timestamp <= timestamp => {
                    lo = n + 1;
                    found = Some((n, info));
                }
                _ => hi = mid,
            }
        }
        Ok(found)
    }

    /// The first block at or after `from` whose time is known.
    fn first_timed_block_from(&self, from: u64) -> Result<Option<(u64, BlockInfo)>, StoreError> {
        let start = from.encode();
        for item in self.db.iterator_cf(self.cf::<Blocks>(), IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            let info = decode::<Blocks>(&v)?;
            if info.timestamp != 0 {
                return Ok(Some((u64::decode(&k).map_err(corrupt::<Blocks>)?, info)));
            }
        }
        Ok(None)
    }

    /// Every listed holder after `block`, from the history table.
    fn listed_holders_at(&self, token: Address, block: u64) -> Result<Vec<HolderRow>, StoreError> {
        let rows =
            self.history_at::<HolderHistory, _>(token.as_slice(), block, |k| (k.holder, k.block), |h| h.is_listed())?;
        Ok(rows.into_iter().map(|(address, state)| HolderRow { address, state }).collect())
    }

    /// Transfers of `token` up to `as_of`, matching `filter`, by block and log index.
    pub fn transfers(
        &self,
        token: Address,
        filter: TransferFilter,
        as_of: u64,
        first: usize,
        after: Option<&str>,
    ) -> Result<Page<TransferRow>, StoreError> {
        let after = parse_cursor(after, "transfer cursor")?;
        if after.as_ref().is_some_and(|c| c.len() != 12) {
            return Err(bad_cursor("transfer cursor"));
        }
        let upper = filter.block_lte.map_or(as_of, |b| b.min(as_of));
        let lower = filter.block_gte.unwrap_or(0);
        // Scan the account index when one side is given, else the token's transfers.
        let (table_prefix, cf) = match filter.from.or(filter.to) {
            Some(account) => ([token.as_slice(), account.as_slice()].concat(), self.cf::<TransfersByAccount>()),
            None => (token.to_vec(), self.cf::<Transfers>()),
        };
        let mut start = table_prefix.clone();
        match &after {
            Some(c) => start.extend_from_slice(c),
            None => start.extend_from_slice(&lower.to_be_bytes()),
        }
        let mut rows = Vec::new();
        let mut has_next = false;
        for item in self.db.iterator_cf(cf, IteratorMode::From(&start, Direction::Forward)) {
            let (k, v) = item?;
            crate::budget::check()?;
            if !k.starts_with(&table_prefix) {
                break;
            }
            let place = &k[table_prefix.len()..];
            if after.as_deref() == Some(place) {
                continue;
            }
            let mut r = Reader::new("event place", place);
            let (block, log_index) = (r.u64().map_err(corrupt::<Transfers>)?, r.u32().map_err(corrupt::<Transfers>)?);
            if block < lower {
                continue;
            }
            if block > upper {
                break;
            }
            let t = if filter.from.or(filter.to).is_some() {
                match self.get::<Transfers>(&EventKey { token, block, log_index })? {
                    Some(t) => t,
                    None => continue,
                }
            } else {
                decode::<Transfers>(&v)?
            };
            if filter.from.is_some_and(|f| f != t.from) || filter.to.is_some_and(|to| to != t.to) {
                continue;
            }
            if rows.len() == first {
                has_next = true;
                break;
            }
            rows.push(TransferRow {
                from: t.from,
                to: t.to,
                value: t.value,
                block_number: block,
                log_index,
                tx_hash: t.tx_hash,
                tx_index: t.tx_index,
                timestamp: t.timestamp,
            });
        }
        let end_cursor = rows.last().map(|r| {
            let mut c = r.block_number.to_be_bytes().to_vec();
            c.extend_from_slice(&r.log_index.to_be_bytes());
            hex::encode(c)
        });
        Ok(Page { rows, has_next, end_cursor })
    }

    /// Logs of watched contracts that no decoder accepted, oldest first.
    pub fn undecoded(&self, first: usize) -> Result<Vec<UndecodedLog>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.iterator_cf(self.cf::<Undecoded>(), IteratorMode::Start).take(first) {
            let (_, v) = item?;
            if let LogRecord::Undecoded(record) = LogRecord::decode(&v)
                .map_err(|_| corrupt::<Undecoded>(CodecError { what: "undecoded log", expected: 0, found: v.len() }))?
            {
                out.push(record);
            }
        }
        Ok(out)
    }

    /// The number of log records set aside as dead letters (the markers of replayed ones, under
    /// partition `u32::MAX`, are not records).
    pub fn dead_letter_count(&self) -> Result<usize, StoreError> {
        let mut count = 0;
        for item in self.db.iterator_cf(self.cf::<DeadLetters>(), IteratorMode::Start) {
            let (key, _) = item?;
            crate::budget::check()?;
            if !key.starts_with(&u32::MAX.to_be_bytes()) {
                count += 1;
            }
        }
        Ok(count)
    }
}

/// The bytes a holder sorts by under `order`; also its cursor.
fn sort_key(order: HolderOrder, row: &HolderRow) -> Vec<u8> {
    let mut k = Vec::with_capacity(52);
    match order {
        HolderOrder::BalanceDesc => k.extend_from_slice(&(!row.state.balance).to_be_bytes::<32>()),
        HolderOrder::BalanceAsc => k.extend_from_slice(&row.state.balance.to_be_bytes::<32>()),
        HolderOrder::Address => {}
    }
    k.extend_from_slice(row.address.as_slice());
    k
}
