//! One account's position in a token as of a block, and pages of them.

use alloy::primitives::Address;
use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject};
use registrar_store::{HolderOrder, HolderRow, IdentityRecord};

use super::{show_address, token::PartitionBalance, BigInt, BondPosition, PageInfo};
use crate::{resolvers::submit::Caller, ApiState};

/// How `holders` sorts.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HolderOrderBy {
    #[default]
    BalanceDesc,
    BalanceAsc,
    Address,
}

impl From<HolderOrderBy> for HolderOrder {
    fn from(o: HolderOrderBy) -> Self {
        match o {
            HolderOrderBy::BalanceDesc => HolderOrder::BalanceDesc,
            HolderOrderBy::BalanceAsc => HolderOrder::BalanceAsc,
            HolderOrderBy::Address => HolderOrder::Address,
        }
    }
}

/// One account's position in the token.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Holder {
    pub address: String,
    pub balance: BigInt,
    /// The part of the balance frozen by an agent.
    pub frozen: BigInt,
    /// Whether the whole wallet is frozen.
    pub is_frozen: bool,
    /// The block at which the account first held a balance, if it ever did.
    pub first_acquired_block: Option<u64>,
    #[graphql(skip)]
    pub token: Address,
    #[graphql(skip)]
    pub holder: Address,
    #[graphql(skip)]
    pub block: u64,
}

impl Holder {
    pub(super) fn new(token: Address, block: u64, r: HolderRow) -> Self {
        Holder {
            address: show_address(&r.address),
            balance: BigInt(r.state.balance),
            frozen: BigInt(r.state.frozen),
            is_frozen: r.state.is_frozen,
            first_acquired_block: (r.state.first_acquired != 0).then_some(r.state.first_acquired),
            token,
            holder: r.address,
            block,
        }
    }
}

impl Holder {
    /// The holder's identity record, or `None` and a field error when the caller may not see it.
    /// Only for wallets that hold or held the token: tokens that share an identity storage do
    /// not show one another's investors to each other's keys.
    async fn identity_record(&self, ctx: &Context<'_>) -> Result<Option<IdentityRecord>> {
        if !self.may_see_private(ctx, "identity and country").await? {
            return Ok(None);
        }
        let never_held = self.first_acquired_block.is_none()
            && self.balance.0.is_zero()
            && self.frozen.0.is_zero()
            && !self.is_frozen;
        if never_held {
            return Ok(None);
        }
        let state = ctx.data::<ApiState>()?;
        let (token, holder, block) = (self.token, self.holder, self.block);
        Ok(state.read(move |db| db.identity_at(token, holder, block)).await?)
    }

    /// Whether the caller may see this holder's private fields. When not, the field resolving
    /// now is withheld as GraphQL has a field error be: null in `data`, the error in `errors`
    /// (a resolver's `Err` would make async-graphql leave the field out of `data`).
    async fn may_see_private(&self, ctx: &Context<'_>, what: &str) -> Result<bool> {
        let state = ctx.data::<ApiState>()?;
        if state.may_see_identities(ctx.data_opt::<Caller>().map(|c| &c.0), self.token) {
            return Ok(true);
        }
        let message = format!("{what} are visible to API keys with the issuer or regulator role for this token");
        ctx.add_error(ctx.set_error_path(async_graphql::ServerError::new(message, Some(ctx.item.pos))));
        Ok(false)
    }
}

#[ComplexObject]
impl Holder {
    /// The holder's identity contract (ONCHAINID) in the token's identity registry as of the
    /// block, if registered. Private: needs an API key with the issuer or regulator role for
    /// the token (or an admin key).
    async fn identity(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.identity_record(ctx).await?.map(|r| show_address(&r.identity)))
    }

    /// What the issuer recorded of the holder off chain (a name, an account reference), set with
    /// `setHolderLabel`; the newest label, whatever the block. Private like `identity`.
    async fn label(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        if !self.may_see_private(ctx, "labels").await? {
            return Ok(None);
        }
        let state = ctx.data::<ApiState>()?;
        Ok(state.labels.get(self.token, self.holder).and_then(|c| c.label))
    }

    /// Every change of the holder's label, oldest first, with the API key that made it and when.
    /// Private, as `label`.
    async fn label_history(&self, ctx: &Context<'_>) -> Result<Option<Vec<crate::resolvers::submit::HolderLabel>>> {
        if !self.may_see_private(ctx, "labels").await? {
            return Ok(None);
        }
        let state = ctx.data::<ApiState>()?;
        Ok(Some(state.labels.history(self.token, self.holder).into_iter().map(Into::into).collect()))
    }

    /// Whom the holder delegates their votes to (ERC-5805), as of the block.
    async fn delegate(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let state = ctx.data::<ApiState>()?;
        let (token, holder, block) = (self.token, self.holder, self.block);
        Ok(state.read(move |db| db.delegate_at(token, holder, block)).await?.map(|a| show_address(&a)))
    }

    /// The voting power delegated to this account (ERC-5805), as of the block.
    async fn votes(&self, ctx: &Context<'_>) -> Result<BigInt> {
        let state = ctx.data::<ApiState>()?;
        let (token, holder, block) = (self.token, self.holder, self.block);
        Ok(BigInt(state.read(move |db| db.votes_at(token, holder, block)).await?))
    }

    /// The account's ERC-3475 bonds by class and nonce, as of the block.
    async fn bonds(&self, ctx: &Context<'_>) -> Result<Vec<BondPosition>> {
        let state = ctx.data::<ApiState>()?;
        let (token, holder, block) = (self.token, self.holder, self.block);
        let rows = state.read(move |db| db.bond_positions(token, holder, block)).await?;
        Ok(rows
            .into_iter()
            .map(|(c, n, v)| BondPosition { class_id: BigInt(c), nonce_id: BigInt(n), amount: BigInt(v) })
            .collect())
    }

    /// The holder's country (ISO 3166-1 numeric) in the token's identity registry as of the
    /// block. Private, as `identity`.
    async fn country(&self, ctx: &Context<'_>) -> Result<Option<u16>> {
        Ok(self.identity_record(ctx).await?.map(|r| r.country))
    }

    /// The investor this wallet belongs to as of the block (see `Token.investors`). Private, as
    /// `identity`.
    async fn investor(&self, ctx: &Context<'_>) -> Result<Option<super::investors::Investor>> {
        if !self.may_see_private(ctx, "investors").await? {
            return Ok(None);
        }
        super::investors::investor_of(ctx, self.token, self.holder, self.block).await
    }

    /// The DS locks that bind the wallet's tokens as of the block: its own and its investor's.
    async fn locks(&self, ctx: &Context<'_>) -> Result<Vec<super::investors::Lock>> {
        super::investors::wallet_locks(ctx, self.token, self.holder, self.block).await
    }

    /// The wallet's entry on the token's ST-20 whitelist as of the block, if listed.
    async fn whitelist(&self, ctx: &Context<'_>) -> Result<Option<super::investors::WhitelistEntry>> {
        let state = ctx.data::<ApiState>()?;
        let (token, holder, block) = (self.token, self.holder, self.block);
        let entry = state.read(move |db| db.whitelist_at(token, holder, block)).await?;
        Ok(entry.map(|w| super::investors::WhitelistEntry::new(holder, w)))
    }

    /// The account's non-zero balances by ERC-1410 partition (empty for unpartitioned tokens).
    async fn partitions(&self, ctx: &Context<'_>) -> Result<Vec<PartitionBalance>> {
        let state = ctx.data::<ApiState>()?;
        let (token, holder, block) = (self.token, self.holder, self.block);
        Ok(PartitionBalance::list(state.read(move |db| db.partitions_at(token, holder, block)).await?))
    }
}

#[derive(SimpleObject, Clone, Debug)]
pub struct HolderConnection {
    pub nodes: Vec<Holder>,
    /// Accounts with a balance or any frozen state.
    pub total_count: u64,
    pub page_info: PageInfo,
}
