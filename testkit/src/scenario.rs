//! The demo's activity on a [`DemoSecurityToken`]: issuance to dozens of investors, trading,
//! partial and address freezes, a pause, a forced transfer, a burn, a wallet recovery and a
//! late issuance. Deterministic for a seed, so tests can replay it.

use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider},
};
use anyhow::{bail, Context};

use crate::contracts::DemoSecurityToken;

/// A small deterministic generator (xorshift64*), so a seed replays the same scenario.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// Who plays the scenario.
#[derive(Clone, Debug)]
pub struct Cast {
    /// Deploys the token and acts as its agent.
    pub agent: Address,
    pub investors: Vec<Address>,
    /// Wallets not used before: a recovered investor's new wallet, and its identity contract.
    pub spare: Vec<Address>,
}

impl Cast {
    /// Casts anvil's unlocked accounts: the first is the agent, then `investors` investors; the
    /// last two are spare.
    pub async fn from_node(provider: &DynProvider, investors: usize) -> anyhow::Result<Cast> {
        let accounts = provider.get_accounts().await.context("eth_accounts")?;
        if accounts.len() < investors + 3 {
            bail!("the node has {} unlocked accounts, the scenario needs {}", accounts.len(), investors + 3);
        }
        Ok(Cast {
            agent: accounts[0],
            investors: accounts[1..=investors].to_vec(),
            spare: accounts[accounts.len() - 2..].to_vec(),
        })
    }
}

/// Deploys a token with `agent` as owner and agent.
pub async fn deploy_token(
    provider: &DynProvider,
    agent: Address,
    name: &str,
    symbol: &str,
    decimals: u8,
) -> anyhow::Result<Address> {
    DemoSecurityToken::deploy_builder(provider.clone(), name.to_string(), symbol.to_string(), decimals)
        .from(agent)
        .deploy()
        .await
        .with_context(|| format!("deploying {symbol}"))
}

/// What a played scenario did, for tests and the demo's printout.
#[derive(Clone, Debug, Default)]
pub struct Played {
    pub first_block: u64,
    pub last_block: u64,
    pub transactions: usize,
}

impl Played {
    /// Counts a transaction mined in `block`.
    pub fn note(&mut self, block: u64) {
        if self.first_block == 0 {
            self.first_block = block;
        }
        self.last_block = block;
        self.transactions += 1;
    }
}

/// Plays the scenario on `token`; `unit` scales amounts (10^decimals).
pub async fn play(
    provider: &DynProvider,
    token: Address,
    cast: &Cast,
    unit: U256,
    seed: u64,
) -> anyhow::Result<Played> {
    let t = DemoSecurityToken::new(token, provider.clone());
    let mut rng = Rng::new(seed);
    let mut played = Played::default();
    let agent = cast.agent;
    let inv = &cast.investors;
    let mut block = |b: u64, played: &mut Played| played.note(b);

    // Issuance: every investor but the last five gets between 100 and 50,000 units.
    let issued: Vec<Address> = inv[..inv.len() - 5].to_vec();
    let amounts: Vec<U256> = issued.iter().map(|_| U256::from(100 + rng.below(49_900)) * unit).collect();
    block(send!(t.batchMint(issued.clone(), amounts), agent, "issuance"), &mut played);

    // Secondary trading between investors.
    trade(&t, &issued, &mut rng, 25, &mut played, &mut block).await?;

    // Enforcement: partial freezes, an unfreeze, address freezes.
    let half = |b: U256| b / U256::from(2);
    let b3 = t.balanceOf(issued[3]).call().await?;
    block(send!(t.freezePartialTokens(issued[3], half(b3)), agent, "partial freeze"), &mut played);
    let b5 = t.balanceOf(issued[5]).call().await?;
    block(send!(t.freezePartialTokens(issued[5], b5 / U256::from(4)), agent, "partial freeze"), &mut played);
    block(send!(t.unfreezePartialTokens(issued[5], b5 / U256::from(8)), agent, "partial unfreeze"), &mut played);
    block(send!(t.setAddressFrozen(issued[7], true), agent, "address freeze"), &mut played);
    block(send!(t.setAddressFrozen(issued[9], true), agent, "address freeze"), &mut played);
    block(send!(t.setAddressFrozen(issued[9], false), agent, "address unfreeze"), &mut played);

    // A pause for a corporate event, and an allowance (an event registrar does not decode).
    block(send!(t.pause(), agent, "pause"), &mut played);
    block(send!(t.unpause(), agent, "unpause"), &mut played);
    block(send!(t.approve(issued[1], U256::from(10) * unit), issued[0], "approve"), &mut played);

    // A forced transfer that reaches into frozen tokens, a burn, a recovery of a lost wallet.
    let b3 = t.balanceOf(issued[3]).call().await?;
    let forced = b3 * U256::from(3) / U256::from(4);
    block(send!(t.forcedTransfer(issued[3], issued[10], forced), agent, "forced transfer"), &mut played);
    let b11 = t.balanceOf(issued[11]).call().await?;
    block(send!(t.burn(issued[11], half(b11)), agent, "burn"), &mut played);
    block(send!(t.recoveryAddress(issued[5], cast.spare[0], cast.spare[1]), agent, "recovery"), &mut played);

    // More trading, and a late issuance to the last five investors.
    let mut traders = issued.clone();
    traders.retain(|a| *a != issued[5] && *a != issued[7]);
    trade(&t, &traders, &mut rng, 15, &mut played, &mut block).await?;
    for &late in &inv[inv.len() - 5..] {
        let amount = U256::from(500 + rng.below(5_000)) * unit;
        block(send!(t.mint(late, amount), agent, "late issuance"), &mut played);
    }
    Ok(played)
}

/// `count` transfers of up to a third of the sender's free balance, between `traders`.
async fn trade(
    t: &DemoSecurityToken::DemoSecurityTokenInstance<DynProvider>,
    traders: &[Address],
    rng: &mut Rng,
    count: usize,
    played: &mut Played,
    block: &mut impl FnMut(u64, &mut Played),
) -> anyhow::Result<()> {
    for _ in 0..count {
        let from = traders[rng.below(traders.len() as u64) as usize];
        let mut to = traders[rng.below(traders.len() as u64) as usize];
        if to == from {
            to = traders[(traders.iter().position(|a| *a == from).unwrap_or(0) + 1) % traders.len()];
        }
        if t.isFrozen(from).call().await? || t.isFrozen(to).call().await? {
            continue;
        }
        let free = t.balanceOf(from).call().await? - t.getFrozenTokens(from).call().await?;
        if free.is_zero() {
            continue;
        }
        let amount = free * U256::from(1 + rng.below(33)) / U256::from(100);
        if amount.is_zero() {
            continue;
        }
        block(send!(t.transfer(to, amount), from, "transfer"), played);
    }
    Ok(())
}

/// One more transfer between investors, for the demo's live activity after the scenario.
/// Returns its block, or `None` when the pick was a frozen or empty wallet.
pub async fn random_transfer(
    provider: &DynProvider,
    token: Address,
    cast: &Cast,
    rng: &mut Rng,
) -> anyhow::Result<Option<u64>> {
    let t = DemoSecurityToken::new(token, provider.clone());
    let mut played = Played::default();
    let traders: Vec<Address> = cast.investors.clone();
    trade(&t, &traders, rng, 1, &mut played, &mut |b, p: &mut Played| {
        p.last_block = b;
        p.transactions += 1;
    })
    .await?;
    Ok((played.transactions > 0).then_some(played.last_block))
}

/// The partitions of the demo's partitioned token, as ERC-1410 names them: bytes32 text.
pub fn partition(name: &str) -> alloy::primitives::B256 {
    let mut b = [0u8; 32];
    b[..name.len()].copy_from_slice(name.as_bytes());
    alloy::primitives::B256::from(b)
}

/// Deploys a [`DemoPartitionedToken`](crate::contracts::DemoPartitionedToken) with `controller`
/// as its controller; `style` 0 emits UniversalToken's events, 1 the reference interfaces'.
pub async fn deploy_partitioned(
    provider: &DynProvider,
    controller: Address,
    name: &str,
    symbol: &str,
    style: u8,
) -> anyhow::Result<Address> {
    crate::contracts::DemoPartitionedToken::deploy_builder(provider.clone(), name.into(), symbol.into(), style)
        .from(controller)
        .deploy()
        .await
        .with_context(|| format!("deploying {symbol}"))
}

/// Plays the activity of a partitioned token: issuance into three partitions, transfers within
/// a partition and into another one (`ChangedPartition`), operators authorised for all partitions
/// and for one (and revoked), an operator's transfer and redemption, a holder's redemption, a
/// controller's forced transfer and forced redemption, and a late issuance.
pub async fn play_partitioned(
    provider: &DynProvider,
    token: Address,
    cast: &Cast,
    seed: u64,
) -> anyhow::Result<Played> {
    use crate::contracts::DemoPartitionedToken;
    let t = DemoPartitionedToken::new(token, provider.clone());
    let mut rng = Rng::new(seed);
    let mut played = Played::default();
    let controller = cast.agent;
    let inv = &cast.investors[..cast.investors.len().min(14)];
    let block = |b: u64, played: &mut Played| played.note(b);
    let (unlocked, locked, reg_s) = (partition("unlocked"), partition("locked"), partition("reg-s"));
    let none = alloy::primitives::Bytes::new;

    // Issuance: everyone gets unlocked tokens (the default partition: issued first), half also
    // locked ones, a few Regulation S ones.
    for (i, &to) in inv.iter().enumerate() {
        let amount = U256::from(1_000 + rng.below(9_000));
        block(send!(t.issueByPartition(unlocked, to, amount, none()), controller, "issuance"), &mut played);
        if i % 2 == 0 {
            let amount = U256::from(500 + rng.below(5_000));
            block(send!(t.issueByPartition(locked, to, amount, none()), controller, "locked issuance"), &mut played);
        }
        if i % 5 == 1 {
            let amount = U256::from(100 + rng.below(900));
            block(send!(t.issueByPartition(reg_s, to, amount, none()), controller, "reg-s issuance"), &mut played);
        }
    }

    // Trading in the unlocked partition, and the plain ERC-20 transfer of the default partition.
    for k in 0..12 {
        let from = inv[rng.below(inv.len() as u64) as usize];
        let to = inv[(inv.iter().position(|a| *a == from).unwrap_or(0) + 1 + k % 3) % inv.len()];
        let free = t.balanceOfByPartition(unlocked, from).call().await?;
        let amount = free * U256::from(1 + rng.below(40)) / U256::from(100);
        if amount.is_zero() {
            continue;
        }
        let call = if k % 4 == 0 {
            send!(t.transfer(to, amount), from, "transfer")
        } else {
            send!(t.transferByPartition(unlocked, to, amount, none()), from, "transfer by partition")
        };
        block(call, &mut played);
    }

    // Locked tokens released on transfer: they arrive unlocked (ChangedPartition).
    for i in [0usize, 2, 4] {
        let (from, to) = (inv[i], inv[i + 1]);
        let held = t.balanceOfByPartition(locked, from).call().await?;
        let amount = held / U256::from(3);
        block(send!(t.transferToPartition(locked, unlocked, to, amount), from, "release on transfer"), &mut played);
    }

    // Operators: one for every partition, one for the locked partition only.
    let (holder, operator) = (inv[0], inv[1]);
    block(send!(t.authorizeOperator(operator), holder, "authorize operator"), &mut played);
    let amount = t.balanceOfByPartition(unlocked, holder).call().await? / U256::from(5);
    let op_transfer = t.operatorTransferByPartition(unlocked, holder, inv[6], amount, none(), none());
    block(send!(op_transfer, operator, "operator transfer"), &mut played);
    block(send!(t.revokeOperator(operator), holder, "revoke operator"), &mut played);
    let (holder, operator) = (inv[2], inv[3]);
    block(send!(t.authorizeOperatorByPartition(locked, operator), holder, "authorize partition operator"), &mut played);
    let amount = t.balanceOfByPartition(locked, holder).call().await? / U256::from(4);
    let op_redeem = t.operatorRedeemByPartition(locked, holder, amount, none());
    block(send!(op_redeem, operator, "operator redemption"), &mut played);
    block(send!(t.revokeOperatorByPartition(locked, operator), holder, "revoke partition operator"), &mut played);

    // A holder redeems; the controller forces a transfer and a redemption.
    let amount = t.balanceOfByPartition(unlocked, inv[4]).call().await? / U256::from(2);
    block(send!(t.redeemByPartition(unlocked, amount, none()), inv[4], "redemption"), &mut played);
    let amount = t.balanceOfByPartition(unlocked, inv[5]).call().await? / U256::from(2);
    let forced = t.controllerTransfer(inv[5], inv[7], amount, none(), "court order".as_bytes().to_vec().into());
    block(send!(forced, controller, "controller transfer"), &mut played);
    let amount = t.balanceOfByPartition(unlocked, inv[8]).call().await? / U256::from(3);
    let forced = t.controllerRedeem(inv[8], amount, none(), "sanctions".as_bytes().to_vec().into());
    block(send!(forced, controller, "controller redemption"), &mut played);

    // A late issuance to a wallet new to the token.
    let late = cast.investors[cast.investors.len() - 1];
    block(send!(t.issueByPartition(reg_s, late, U256::from(777), none()), controller, "late issuance"), &mut played);
    Ok(played)
}

/// The demo pool's non-underlying assets: stand-in addresses for a Treasury bill and a gold
/// receipt (the pool records them; it does not call them).
pub const POOL_ASSETS: [Address; 2] = [Address::repeat_byte(0xb1), Address::repeat_byte(0xc2)];

/// Deploys a [`DemoCollateralPool`](crate::contracts::DemoCollateralPool) managed by `manager`.
pub async fn deploy_pool(
    provider: &DynProvider,
    manager: Address,
    name: &str,
    symbol: &str,
) -> anyhow::Result<Address> {
    crate::contracts::DemoCollateralPool::deploy_builder(provider.clone(), name.into(), symbol.into())
        .from(manager)
        .deploy()
        .await
        .with_context(|| format!("deploying {symbol}"))
}

/// Plays a collateral pool's life: deposits, the manager buying two assets with the underlying,
/// revaluations up and down, share transfers, ERC-7540 deposit and redemption requests settled by
/// the manager, a direct redemption and a partial sale.
pub async fn play_pool(provider: &DynProvider, pool: Address, cast: &Cast, seed: u64) -> anyhow::Result<Played> {
    use crate::contracts::DemoCollateralPool;
    let p = DemoCollateralPool::new(pool, provider.clone());
    let mut rng = Rng::new(seed);
    let mut played = Played::default();
    let manager = cast.agent;
    let inv = &cast.investors[..cast.investors.len().min(8)];
    let block = |b: u64, played: &mut Played| played.note(b);
    let unit = U256::from(10u64).pow(U256::from(18));
    let [bill, gold] = POOL_ASSETS;

    for &investor in &inv[..6] {
        let amount = U256::from(1_000 + rng.below(9_000)) * unit;
        block(send!(p.deposit(amount, investor), investor, "deposit"), &mut played);
    }
    let held = p.underlying().call().await?;
    block(
        send!(p.addAsset(bill, U256::from(300), held * U256::from(4) / U256::from(10)), manager, "buy bills"),
        &mut played,
    );
    block(send!(p.addAsset(gold, U256::from(12), held / U256::from(5)), manager, "buy gold"), &mut played);
    let bill_value = p.assetValue(bill).call().await?;
    let revalued = bill_value + bill_value / U256::from(50);
    block(send!(p.revalue(bill, revalued), manager, "revalue bills"), &mut played);
    let shares = p.balanceOf(inv[0]).call().await? / U256::from(3);
    block(send!(p.transfer(inv[6], shares), inv[0], "share transfer"), &mut played);

    // ERC-7540: a subscription and a redemption by request, settled by the manager.
    let amount = U256::from(2_500) * unit;
    block(send!(p.requestDeposit(amount, inv[7], inv[7]), inv[7], "deposit request"), &mut played);
    let first_request = p.nextRequestId().call().await? - U256::from(1);
    block(send!(p.settle(first_request), manager, "settle deposit"), &mut played);
    let shares = p.balanceOf(inv[1]).call().await? / U256::from(2);
    block(send!(p.requestRedeem(shares, inv[1], inv[1]), inv[1], "redeem request"), &mut played);
    block(send!(p.settle(first_request + U256::from(1)), manager, "settle redemption"), &mut played);

    let shares = p.balanceOf(inv[2]).call().await? / U256::from(4);
    block(send!(p.redeem(shares, inv[2], inv[2]), inv[2], "redeem"), &mut played);
    let gold_value = p.assetValue(gold).call().await?;
    block(send!(p.removeAsset(gold, U256::from(4), gold_value / U256::from(3)), manager, "sell gold"), &mut played);
    let gold_value = p.assetValue(gold).call().await?;
    block(send!(p.revalue(gold, gold_value - gold_value / U256::from(10)), manager, "revalue gold"), &mut played);
    Ok(played)
}

/// Deploys a [`DemoEquityToken`](crate::contracts::DemoEquityToken) issued by `issuer`.
pub async fn deploy_equity(
    provider: &DynProvider,
    issuer: Address,
    name: &str,
    symbol: &str,
) -> anyhow::Result<Address> {
    crate::contracts::DemoEquityToken::deploy_builder(provider.clone(), name.into(), symbol.into())
        .from(issuer)
        .deploy()
        .await
        .with_context(|| format!("deploying {symbol}"))
}

/// Plays an equity token's life: issuance, delegations, trading, a record-date snapshot, a
/// proposal voted for, against and abstaining, a dividend and withdrawals, a 3-for-2 split, a
/// buyback and a change of delegate.
pub async fn play_equity(provider: &DynProvider, token: Address, cast: &Cast, seed: u64) -> anyhow::Result<Played> {
    use crate::contracts::DemoEquityToken;
    let t = DemoEquityToken::new(token, provider.clone());
    let mut rng = Rng::new(seed);
    let mut played = Played::default();
    let issuer = cast.agent;
    let inv = &cast.investors[..cast.investors.len().min(8)];
    let block = |b: u64, played: &mut Played| played.note(b);
    for &investor in inv {
        block(send!(t.mint(investor, U256::from(100 + rng.below(900))), issuer, "issuance"), &mut played);
    }
    for (who, to) in [(0, 0), (1, 0), (2, 3), (3, 3), (4, 0)] {
        block(send!(t.delegate(inv[to]), inv[who], "delegate"), &mut played);
    }
    for _ in 0..6 {
        let from = inv[rng.below(inv.len() as u64) as usize];
        let to = inv[rng.below(inv.len() as u64) as usize];
        let amount = t.balanceOf(from).call().await? / U256::from(5);
        if from != to && !amount.is_zero() {
            block(send!(t.transfer(to, amount), from, "transfer"), &mut played);
        }
    }
    block(send!(t.snapshot(), issuer, "record date"), &mut played);
    block(send!(t.propose(), issuer, "proposal"), &mut played);
    let proposal = t.proposalCount().call().await?;
    for (voter, support, reason) in [(0, 1u8, "grow"), (3, 0, "too early"), (5, 2, "")] {
        block(send!(t.castVote(proposal, support, reason.into()), inv[voter], "vote"), &mut played);
    }
    block(send!(t.distributeDividends(U256::from(1_000_000)), issuer, "dividend"), &mut played);
    for who in [0, 2] {
        block(send!(t.withdrawDividend(), inv[who], "dividend withdrawal"), &mut played);
    }
    block(send!(t.split(U256::from(3), U256::from(2)), issuer, "split"), &mut played);
    let amount = t.balanceOf(inv[6]).call().await? / U256::from(2);
    block(send!(t.buyback(inv[6], amount, U256::from(42)), issuer, "buyback"), &mut played);
    block(send!(t.delegate(inv[3]), inv[1], "redelegate"), &mut played);
    block(send!(t.snapshot(), issuer, "record date"), &mut played);
    Ok(played)
}

/// Deploys a [`DemoBond`](crate::contracts::DemoBond) issued by `issuer`.
pub async fn deploy_bond(provider: &DynProvider, issuer: Address, name: &str, symbol: &str) -> anyhow::Result<Address> {
    crate::contracts::DemoBond::deploy_builder(provider.clone(), name.into(), symbol.into())
        .from(issuer)
        .deploy()
        .await
        .with_context(|| format!("deploying {symbol}"))
}

/// Plays a bond programme: two classes, three tranches issued to investors, trading, a coupon
/// distribution and withdrawals, a tranche maturing and redeemed, another defaulting.
pub async fn play_bond(provider: &DynProvider, bond: Address, cast: &Cast, seed: u64) -> anyhow::Result<Played> {
    use crate::contracts::DemoBond::{self, Transaction};
    let b = DemoBond::new(bond, provider.clone());
    let mut rng = Rng::new(seed);
    let mut played = Played::default();
    let issuer = cast.agent;
    let inv = &cast.investors[..cast.investors.len().min(6)];
    let block = |b: u64, played: &mut Played| played.note(b);
    let tx = |class: u64, nonce: u64, amount: u64| Transaction {
        classId: U256::from(class),
        nonceId: U256::from(nonce),
        _amount: U256::from(amount),
    };
    for &investor in inv {
        let batch =
            vec![tx(1, 1, 1_000 + rng.below(9_000)), tx(1, 2, 500 + rng.below(500)), tx(2, 1, 100 + rng.below(900))];
        block(send!(b.issue(investor, batch), issuer, "issue"), &mut played);
    }
    for k in 0..4 {
        let (from, to) = (inv[k], inv[k + 1]);
        let held = b.balanceOf(from, U256::from(1), U256::from(1)).call().await?;
        let batch = vec![Transaction { classId: U256::from(1), nonceId: U256::from(1), _amount: held / U256::from(3) }];
        block(send!(b.transferFrom(from, to, batch), from, "bond transfer"), &mut played);
    }
    block(send!(b.distributeFunds(U256::from(250_000)), issuer, "coupon"), &mut played);
    for who in [0, 1, 3] {
        block(send!(b.withdrawFunds(), inv[who], "coupon withdrawal"), &mut played);
    }
    block(send!(b.mature(U256::from(1), U256::from(1)), issuer, "maturity"), &mut played);
    for who in [0, 2] {
        let held = b.balanceOf(inv[who], U256::from(1), U256::from(1)).call().await?;
        let batch = vec![Transaction { classId: U256::from(1), nonceId: U256::from(1), _amount: held }];
        block(send!(b.redeem(inv[who], batch), inv[who], "redemption"), &mut played);
    }
    block(
        send!(b.declareDefault(U256::from(2), U256::from(1), "missed coupon".into()), issuer, "default"),
        &mut played,
    );
    Ok(played)
}
