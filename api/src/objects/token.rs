use alloy::primitives::{Address, B256, U256};
use async_graphql::{ComplexObject, Context, InputObject, Result, SimpleObject};
use registrar_store::{HolderRow, LinkKind, TokenInfo, TokenSnapshot, TransferFilter};

use super::{
    corporate_action_connection, distribution_connection,
    holder::{Holder, HolderConnection, HolderOrderBy},
    investors, parse_address, show_address, vault_request_connection, vote_connection, BigInt, BondTranche,
    CorporateActionConnection, CorporateActionWhere, DistributionConnection, DistributionWhere, EventOrderBy, PageInfo,
    ProposalTally, TransferConnection, TransferWhere, VaultRequestConnection, VaultRequestWhere, VoteConnection,
    VoteWhere,
};
use crate::{
    resolvers::{page_size, submit::Caller},
    ApiState,
};

/// The block a query is answered as of, after graph-node's `block:` argument: by number, by
/// hash, or by time (the last indexed block at or before it: "as of 31 March"). One of them.
#[derive(InputObject, Clone, Debug, Default)]
pub struct BlockHeight {
    /// Answer as of the state after this block.
    pub number: Option<u64>,
    /// Answer as of the last block at or before this time, in seconds since the Unix epoch.
    pub timestamp: Option<u64>,
    /// The same as an RFC 3339 time, e.g. `2026-03-31T23:59:59Z`.
    pub at: Option<String>,
    /// The block with this hash (`0x`-prefixed): the indexed head, or a block with events of a
    /// watched contract. A hash of an abandoned branch is refused.
    pub hash: Option<String>,
}

impl BlockHeight {
    /// The state the argument names (`None`: the latest).
    pub fn as_of(block: Option<&BlockHeight>) -> Result<registrar_store::AsOf, crate::ApiError> {
        use registrar_store::AsOf;
        let Some(b) = block else { return Ok(AsOf::Latest) };
        if let Some(hash) = b.hash.as_deref() {
            if b.number.is_some() || b.timestamp.is_some() || b.at.is_some() {
                return Err(crate::ApiError::Invalid {
                    field: "block",
                    reason: "give one of number, hash, timestamp or at".into(),
                });
            }
            let hash = hash.parse::<B256>().map_err(|_| crate::ApiError::Invalid {
                field: "hash",
                reason: format!("{hash:?} is not a 32-byte hex hash"),
            })?;
            return Ok(AsOf::Hash(hash));
        }
        match (b.number, b.timestamp, b.at.as_deref()) {
            (None, None, None) => Ok(AsOf::Latest),
            (Some(n), None, None) => Ok(AsOf::Block(n)),
            (None, Some(t), None) => Ok(AsOf::Time(t)),
            (None, None, Some(at)) => Ok(AsOf::Time(crate::reports::parse_rfc3339(at)?)),
            _ => Err(crate::ApiError::Invalid {
                field: "block",
                reason: "give one of number, hash, timestamp or at".into(),
            }),
        }
    }
}

/// A watched token, as listed by `tokens`.
#[derive(SimpleObject, Clone, Debug)]
pub struct TokenSummary {
    pub address: String,
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
}

impl From<TokenInfo> for TokenSummary {
    fn from(t: TokenInfo) -> Self {
        TokenSummary { address: show_address(&t.address), name: t.name, symbol: t.symbol, decimals: t.decimals }
    }
}

#[derive(SimpleObject, Clone, Debug)]
pub struct TokenConnection {
    pub nodes: Vec<TokenSummary>,
    pub page_info: PageInfo,
}

/// A token as of a block: its aggregates, holders and transfers.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Token {
    pub address: String,
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    /// The block this token's fields are as of.
    pub block: u64,
    /// Whether that block has `confirmations` blocks on top: false means a reorg may still
    /// change what this answer says.
    pub finalized: bool,
    pub total_supply: BigInt,
    /// Accounts with a non-zero balance.
    pub holder_count: u64,
    pub paused: bool,
    #[graphql(skip)]
    pub info: TokenInfo,
}

impl Token {
    /// Whether the caller may see the token's private fields; when not, the field resolving now
    /// is withheld with a field error (see `Holder::may_see_private`).
    async fn may_see_private(&self, ctx: &Context<'_>, what: &str) -> Result<bool> {
        let state = ctx.data::<ApiState>()?;
        if state.may_see_identities(ctx.data_opt::<Caller>().map(|c| &c.0), self.info.address) {
            return Ok(true);
        }
        let message = format!("{what} are visible to API keys with the issuer or regulator role for this token");
        ctx.add_error(ctx.set_error_path(async_graphql::ServerError::new(message, Some(ctx.item.pos))));
        Ok(false)
    }

    async fn link(&self, ctx: &Context<'_>, kind: LinkKind) -> Result<Option<String>> {
        let state = ctx.data::<ApiState>()?;
        let (token, block) = (self.info.address, self.block);
        Ok(state.read(move |db| db.link_at(token, kind, block)).await?.map(|a| show_address(&a)))
    }

    pub fn new(info: TokenInfo, block: u64, finalized: bool, snapshot: TokenSnapshot) -> Self {
        Token {
            address: show_address(&info.address),
            name: info.name.clone(),
            symbol: info.symbol.clone(),
            decimals: info.decimals,
            block,
            finalized,
            total_supply: BigInt(snapshot.total_supply),
            holder_count: snapshot.holder_count,
            paused: snapshot.paused,
            info,
        }
    }
}

/// An ERC-3643 token's compliance set-up as of a block.
#[derive(SimpleObject, Clone, Debug)]
pub struct ComplianceSetup {
    /// The token's agents (`AgentAdded`/`AgentRemoved` of the token).
    pub agents: Vec<String>,
    pub identity_registry: String,
    pub identity_storage: Option<String>,
    /// The identity registry's agents.
    pub registry_agents: Vec<String>,
    /// The claim topics every investor must hold a claim of (claim topics registry).
    pub claim_topics: Vec<BigInt>,
    /// The claim issuers trusted for each topic (trusted issuers registry).
    pub trusted_issuers: Vec<TrustedIssuer>,
    pub compliance: Option<String>,
    /// The modular compliance's modules.
    pub modules: Vec<String>,
}

/// A trusted claim issuer and the topics it is trusted for.
#[derive(SimpleObject, Clone, Debug)]
pub struct TrustedIssuer {
    pub issuer: String,
    pub claim_topics: Vec<BigInt>,
}

impl From<registrar_store::ComplianceSetup> for ComplianceSetup {
    fn from(c: registrar_store::ComplianceSetup) -> Self {
        let list = |a: Vec<Address>| a.iter().map(show_address).collect();
        ComplianceSetup {
            agents: list(c.agents),
            identity_registry: show_address(&c.identity_registry),
            identity_storage: c.identity_storage.map(|a| show_address(&a)),
            registry_agents: list(c.registry_agents),
            claim_topics: c.claim_topics.into_iter().map(BigInt).collect(),
            trusted_issuers: c
                .trusted_issuers
                .into_iter()
                .map(|(issuer, topics)| TrustedIssuer {
                    issuer: show_address(&issuer),
                    claim_topics: topics.into_iter().map(BigInt).collect(),
                })
                .collect(),
            compliance: c.compliance.map(|a| show_address(&a)),
            modules: list(c.modules),
        }
    }
}

/// A collateral pool (a vault token) as of a block: what it holds and what a share is worth.
#[derive(SimpleObject, Clone, Debug)]
pub struct Pool {
    /// The value of everything it holds, in its unit of account (ERC-4626 `totalAssets`).
    pub total_value: BigInt,
    /// Shares outstanding (the vault token's supply).
    pub total_shares: BigInt,
    /// The value of 10^18 share units (`convertToAssets(1e18)`), rounded down; null without shares.
    pub share_value: Option<BigInt>,
    /// Holdings by asset, the underlying first.
    pub assets: Vec<PoolAsset>,
}

/// A pool's holding of one asset.
#[derive(SimpleObject, Clone, Debug)]
pub struct PoolAsset {
    /// The asset's address; 0x0000…0000 for the vault's underlying (its deposits).
    pub asset: String,
    pub underlying: bool,
    pub amount: BigInt,
    /// In the pool's unit of account.
    pub value: BigInt,
}

/// A balance in one ERC-1410 partition (or, on a token, the partition's supply).
#[derive(SimpleObject, Clone, Debug)]
pub struct PartitionBalance {
    /// The partition's bytes32, in hex.
    pub partition: String,
    /// The partition as text when its bytes32 is a short printable name, else its hex.
    pub name: String,
    pub balance: BigInt,
}

impl PartitionBalance {
    pub(super) fn list(balances: Vec<(B256, U256)>) -> Vec<PartitionBalance> {
        balances
            .into_iter()
            .map(|(p, v)| PartitionBalance {
                partition: format!("{p:#x}"),
                name: crate::reports::partition_label(p),
                balance: BigInt(v),
            })
            .collect()
    }
}

#[ComplexObject]
impl Token {
    /// Accounts with a non-zero balance or any frozen state.
    #[graphql(complexity = "page_size(first).unwrap_or(100) as usize * child_complexity")]
    async fn holders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default)] order_by: HolderOrderBy,
    ) -> Result<HolderConnection> {
        let state = ctx.data::<ApiState>()?;
        let first = page_size(first)?;
        let (token, block) = (self.info.address, self.block);
        let (page, snapshot) = state
            .read(move |db| {
                let page = db.holders_at(token, block, order_by.into(), first, after.as_deref())?;
                Ok((page, db.token_at(token, block)?))
            })
            .await?;
        Ok(HolderConnection {
            nodes: page.rows.into_iter().map(|r| Holder::new(token, block, r)).collect(),
            total_count: snapshot.listed_count,
            page_info: PageInfo { end_cursor: page.end_cursor, has_next_page: page.has_next },
        })
    }

    /// One account, listed or not.
    async fn holder(&self, ctx: &Context<'_>, address: String) -> Result<Holder> {
        let state = ctx.data::<ApiState>()?;
        let holder = parse_address(&address)?;
        let (token, block) = (self.info.address, self.block);
        let s = state.read(move |db| db.holder_at(token, holder, block)).await?;
        Ok(Holder::new(token, block, HolderRow { address: holder, state: s }))
    }

    /// The token's investors as of this block, by id: a DS token's investors by their registry
    /// id, a T-REX token's by ONCHAINID, others wallet by wallet; each with the wallets that
    /// hold its tokens. Private: needs an API key with the issuer or regulator role for the token.
    #[graphql(complexity = "page_size(first).unwrap_or(100) as usize * child_complexity")]
    async fn investors(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Option<investors::InvestorConnection>> {
        if !self.may_see_private(ctx, "investors").await? {
            return Ok(None);
        }
        Ok(Some(investors::investors(ctx, self.info.address, self.block, first, after).await?))
    }

    /// How many investors hold the token (a positive balance across their wallets): one DS
    /// investor or ONCHAINID with several wallets counts once.
    async fn investor_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let state = ctx.data::<ApiState>()?;
        let (token, block) = (self.info.address, self.block);
        Ok(state.read(move |db| db.investor_count(token, block)).await?)
    }

    /// Investors holding the token by country, most investors first.
    async fn investors_by_country(&self, ctx: &Context<'_>) -> Result<Vec<investors::CountryCount>> {
        investors::investors_by_country(ctx, self.info.address, self.block).await
    }

    /// The ST-20 general transfer manager's whitelist as of this block (empty for other tokens).
    async fn whitelist(&self, ctx: &Context<'_>) -> Result<Vec<investors::WhitelistEntry>> {
        let state = ctx.data::<ApiState>()?;
        let (token, block) = (self.info.address, self.block);
        let rows = state.read(move |db| db.whitelist_register(token, block)).await?;
        Ok(rows.into_iter().map(|(a, w)| investors::WhitelistEntry::new(a, w)).collect())
    }

    /// The DS compliance configuration's rules as of this block (empty for other tokens).
    async fn compliance_rules(&self, ctx: &Context<'_>) -> Result<Vec<investors::ComplianceRule>> {
        let state = ctx.data::<ApiState>()?;
        let (token, block) = (self.info.address, self.block);
        Ok(state.read(move |db| db.compliance_rules_at(token, block)).await?.into_iter().map(Into::into).collect())
    }

    /// The DS registry service the token uses as of this block (DS tokens; null for others).
    async fn ds_registry(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        self.link(ctx, LinkKind::DsRegistry).await
    }

    /// The DS lock manager the token uses as of this block (DS tokens; null for others).
    async fn lock_manager(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        self.link(ctx, LinkKind::DsLockManager).await
    }

    /// The ST-20 transfer manager the token uses as of this block (ST-20 tokens; null for others).
    async fn transfer_manager(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        self.link(ctx, LinkKind::TransferManager).await
    }

    /// The token's identity registry as of this block (ERC-3643 tokens; null for others).
    async fn identity_registry(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        self.link(ctx, LinkKind::IdentityRegistry).await
    }

    /// The token's compliance contract as of this block (ERC-3643 tokens; null for others).
    async fn compliance(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        self.link(ctx, LinkKind::Compliance).await
    }

    /// The token's compliance set-up as of this block (ERC-3643 T-REX tokens; null for others):
    /// its agents, its identity registry's storage, agents, required claim topics and trusted
    /// issuers, and its compliance's modules, each from the events of those contracts.
    async fn compliance_setup(&self, ctx: &Context<'_>) -> Result<Option<ComplianceSetup>> {
        let state = ctx.data::<ApiState>()?;
        let (token, block) = (self.info.address, self.block);
        Ok(state.read(move |db| db.compliance_setup(token, block)).await?.map(ComplianceSetup::from))
    }

    /// The collateral pool this token is the share of, as of this block: null for tokens without
    /// ERC-4626 deposits or pool composition events.
    async fn pool(&self, ctx: &Context<'_>) -> Result<Option<Pool>> {
        let state = ctx.data::<ApiState>()?;
        let (token, block) = (self.info.address, self.block);
        Ok(state.read(move |db| db.pool_summary(token, block)).await?.map(|p| Pool {
            total_value: BigInt(p.total_value),
            total_shares: BigInt(p.total_shares),
            share_value: p.share_value.map(BigInt),
            assets: p
                .assets
                .into_iter()
                .map(|(asset, p)| PoolAsset {
                    asset: show_address(&asset),
                    underlying: asset.is_zero(),
                    amount: BigInt(p.amount),
                    value: BigInt(p.value),
                })
                .collect(),
        }))
    }

    /// Governor votes cast up to this block.
    #[graphql(complexity = "page_size(first).unwrap_or(100) as usize * child_complexity")]
    async fn votes_cast(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(name = "where")] filter: Option<VoteWhere>,
        #[graphql(default)] order_by: EventOrderBy,
    ) -> Result<VoteConnection> {
        let state = ctx.data::<ApiState>()?;
        let filter = filter.unwrap_or_default();
        let (query, keep) = (filter.query(order_by, page_size(first)?, after), filter.keep()?);
        let (token, block) = (self.info.address, self.block);
        Ok(vote_connection(state.read(move |db| db.votes_page(token, block, &query, keep)).await?))
    }

    /// Corporate actions (record dates, splits, buybacks, bond maturities and defaults) up to
    /// this block.
    #[graphql(complexity = "page_size(first).unwrap_or(100) as usize * child_complexity")]
    async fn corporate_actions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(name = "where")] filter: Option<CorporateActionWhere>,
        #[graphql(default)] order_by: EventOrderBy,
    ) -> Result<CorporateActionConnection> {
        let state = ctx.data::<ApiState>()?;
        let filter = filter.unwrap_or_default();
        let (query, keep) = (filter.query(order_by, page_size(first)?, after), filter.keep());
        let (token, block) = (self.info.address, self.block);
        Ok(corporate_action_connection(
            state.read(move |db| db.corporate_actions_page(token, block, &query, keep)).await?,
        ))
    }

    /// Distributions to holders and their withdrawals (ERC-2222, ERC-1726) up to this block.
    #[graphql(complexity = "page_size(first).unwrap_or(100) as usize * child_complexity")]
    async fn distributions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(name = "where")] filter: Option<DistributionWhere>,
        #[graphql(default)] order_by: EventOrderBy,
    ) -> Result<DistributionConnection> {
        let state = ctx.data::<ApiState>()?;
        let filter = filter.unwrap_or_default();
        let (query, keep) = (filter.query(order_by, page_size(first)?, after), filter.keep()?);
        let (token, block) = (self.info.address, self.block);
        Ok(distribution_connection(state.read(move |db| db.distributions_page(token, block, &query, keep)).await?))
    }

    /// ERC-7540 requests made to this vault up to this block.
    #[graphql(complexity = "page_size(first).unwrap_or(100) as usize * child_complexity")]
    async fn vault_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(name = "where")] filter: Option<VaultRequestWhere>,
        #[graphql(default)] order_by: EventOrderBy,
    ) -> Result<VaultRequestConnection> {
        let state = ctx.data::<ApiState>()?;
        let filter = filter.unwrap_or_default();
        let (query, keep) = (filter.query(order_by, page_size(first)?, after), filter.keep()?);
        let (token, block) = (self.info.address, self.block);
        Ok(vault_request_connection(state.read(move |db| db.vault_requests_page(token, block, &query, keep)).await?))
    }

    /// The tally of every proposal voted on up to this block, by proposal id.
    async fn proposals(&self, ctx: &Context<'_>) -> Result<Vec<ProposalTally>> {
        let state = ctx.data::<ApiState>()?;
        let (token, block) = (self.info.address, self.block);
        let tallies = state.read(move |db| db.proposal_tallies(token, block)).await?;
        Ok(tallies
            .into_iter()
            .map(|t| ProposalTally {
                proposal_id: BigInt(t.proposal_id),
                against_votes: BigInt(t.against),
                for_votes: BigInt(t.for_),
                abstain_votes: BigInt(t.abstain),
                voters: t.voters,
            })
            .collect())
    }

    /// ERC-3475 tranches with bonds outstanding or a status, as of this block.
    async fn bonds(&self, ctx: &Context<'_>) -> Result<Vec<BondTranche>> {
        let state = ctx.data::<ApiState>()?;
        let (token, block) = (self.info.address, self.block);
        let tranches = state.read(move |db| db.bond_tranches(token, block)).await?;
        Ok(tranches
            .into_iter()
            .map(|t| BondTranche {
                class_id: BigInt(t.class_id),
                nonce_id: BigInt(t.nonce_id),
                supply: BigInt(t.supply),
                status: t.status.name().into(),
                default_reason: match t.status {
                    registrar_store::TrancheStatus::Defaulted(reason) => Some(reason),
                    registrar_store::TrancheStatus::Outstanding | registrar_store::TrancheStatus::Matured => None,
                },
            })
            .collect())
    }

    /// The supply of each ERC-1410 partition with tokens in it (empty for unpartitioned tokens).
    async fn partitions(&self, ctx: &Context<'_>) -> Result<Vec<PartitionBalance>> {
        let state = ctx.data::<ApiState>()?;
        let (token, block) = (self.info.address, self.block);
        Ok(PartitionBalance::list(state.read(move |db| db.partitions_at(token, Address::ZERO, block)).await?))
    }

    /// Transfers up to this token's block, oldest first.
    #[graphql(complexity = "page_size(first).unwrap_or(100) as usize * child_complexity")]
    async fn transfers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(name = "where")] filter: Option<TransferWhere>,
    ) -> Result<TransferConnection> {
        let state = ctx.data::<ApiState>()?;
        let first = page_size(first)?;
        let filter = filter.unwrap_or_default();
        let filter = TransferFilter {
            from: filter.from.as_deref().map(parse_address).transpose()?,
            to: filter.to.as_deref().map(parse_address).transpose()?,
            account: filter.account.as_deref().map(parse_address).transpose()?,
            block_gte: filter.block_gte,
            block_lte: filter.block_lte,
        };
        let (token, block) = (self.info.address, self.block);
        let page = state.read(move |db| db.transfers(token, filter, block, first, after.as_deref())).await?;
        Ok(TransferConnection {
            nodes: page.rows.into_iter().map(Into::into).collect(),
            page_info: PageInfo { end_cursor: page.end_cursor, has_next_page: page.has_next },
            counted: Some((token, filter, block)),
        })
    }
}
