//! The compliance stacks of Securitize's DS Protocol and Polymath's ST-20, deployed from
//! `contracts/` and played: investors registered with wallets, countries and attributes,
//! issuance with locks, transfers, seizures and burns (DS); whitelisting, minting, transfers,
//! checkpoints, a freeze and the controller's forced moves (ST-20). Deterministic for a seed.

use alloy::{
    primitives::{Address, FixedBytes, U256},
    providers::DynProvider,
};
use anyhow::Context;

use crate::{
    contracts::{
        DemoDSComplianceConfiguration, DemoDSLockManager, DemoDSRegistryService, DemoDSToken, DemoDSTrustService,
        DemoGeneralTransferManager, DemoST20Token,
    },
    scenario::{Cast, Played, Rng},
};

/// A deployed DS suite: the token and its services.
#[derive(Clone, Copy, Debug)]
pub struct DsSuite {
    pub token: Address,
    pub registry: Address,
    pub lock_manager: Address,
    pub trust: Address,
    pub compliance_configuration: Address,
}

/// The investors of the DS scenario: id, country, and which of the cast's investors are its
/// wallets (one investor has three wallets, one has two).
pub const DS_INVESTORS: [(&str, &str, &[usize]); 5] = [
    ("INV-US-001", "US", &[0, 1, 2]),
    ("INV-FR-002", "FR", &[3]),
    ("INV-DE-003", "DE", &[4, 5]),
    ("INV-US-004", "US", &[6]),
    ("INV-SG-005", "SG", &[7]),
];

/// Deploys a DS token with its registry, lock manager, trust service and compliance
/// configuration, each pointed at the others with `setDSService`, as Securitize deploys them.
pub async fn deploy_ds(provider: &DynProvider, master: Address, name: &str, symbol: &str) -> anyhow::Result<DsSuite> {
    macro_rules! deploy {
        ($c:ident $(, $arg:expr)*) => {
            $c::deploy_builder(provider.clone() $(, $arg)*)
                .from(master)
                .deploy()
                .await
                .with_context(|| format!("deploying {}", stringify!($c)))?
        };
    }
    let token = deploy!(DemoDSToken, name.to_string(), symbol.to_string());
    let registry = deploy!(DemoDSRegistryService);
    let lock_manager = deploy!(DemoDSLockManager);
    let trust = deploy!(DemoDSTrustService);
    let compliance_configuration = deploy!(DemoDSComplianceConfiguration);
    let suite = DsSuite { token, registry, lock_manager, trust, compliance_configuration };
    wire_ds(provider, master, suite).await?;
    Ok(suite)
}

async fn wire_ds(provider: &DynProvider, master: Address, s: DsSuite) -> anyhow::Result<()> {
    let id = U256::from;
    let t = DemoDSToken::new(s.token, provider.clone());
    for (service, address) in [(1, s.trust), (4, s.registry), (64, s.lock_manager), (256, s.compliance_configuration)] {
        crate::send!(t.setDSService(id(service), address), master, "token service");
    }
    let r = DemoDSRegistryService::new(s.registry, provider.clone());
    for (service, address) in [(1, s.trust), (2, s.token)] {
        crate::send!(r.setDSService(id(service), address), master, "registry service");
    }
    let l = DemoDSLockManager::new(s.lock_manager, provider.clone());
    for (service, address) in [(2, s.token), (4, s.registry)] {
        crate::send!(l.setDSService(id(service), address), master, "lock manager service");
    }
    Ok(())
}

/// Plays the DS scenario: roles and rules, investors with countries, attributes and wallets,
/// issuance (some of it locked), transfers between investors and between one investor's
/// wallets, a lock made and one removed, a seizure, a burn, a wallet moved to a new investor and
/// an investor removed.
pub async fn play_ds(provider: &DynProvider, s: DsSuite, cast: &Cast, seed: u64) -> anyhow::Result<Played> {
    let t = DemoDSToken::new(s.token, provider.clone());
    let r = DemoDSRegistryService::new(s.registry, provider.clone());
    let l = DemoDSLockManager::new(s.lock_manager, provider.clone());
    let trust = DemoDSTrustService::new(s.trust, provider.clone());
    let rules = DemoDSComplianceConfiguration::new(s.compliance_configuration, provider.clone());
    let mut rng = Rng::new(seed);
    let mut played = Played::default();
    let master = cast.agent;
    let w = |i: usize| cast.investors[i];
    macro_rules! tx {
        ($call:expr, $from:expr, $what:expr) => {
            played.note(crate::send!($call, $from, $what))
        };
    }
    tx!(trust.setRole(w(9), 8), master, "transfer agent role");
    tx!(trust.setRole(w(8), 2), master, "issuer role");
    tx!(trust.removeRole(w(8)), master, "issuer role removed");
    tx!(rules.setTotalInvestorsLimit(U256::from(2000)), master, "investor limit");
    tx!(rules.setForceFullTransfer(true), master, "full transfer rule");
    tx!(rules.setCountryCompliance("US".into(), U256::from(1)), master, "country rule");
    let far = U256::from(4_102_444_800u64); // 2100-01-01
    for (id, country, wallets) in DS_INVESTORS {
        tx!(r.registerInvestor(id.into(), String::new()), master, "investor");
        tx!(r.setCountry(id.into(), country.into()), master, "country");
        tx!(r.setAttribute(id.into(), 1, U256::from(1), far, format!("kyc-{id}")), master, "KYC");
        if country == "US" {
            tx!(
                r.setAttribute(id.into(), 2, U256::from(1), U256::from(1_900_000_000u64), String::new()),
                master,
                "accreditation"
            );
        }
        for &i in wallets {
            tx!(r.addWallet(w(i), id.into()), master, "wallet");
        }
    }
    // The transfer agent's wallet, where seizures go, is registered too.
    tx!(r.registerInvestor("ISSUER-TA".into(), String::new()), master, "issuer investor");
    tx!(r.addWallet(w(9), "ISSUER-TA".into()), master, "issuer wallet");
    let now = U256::from(1_700_000_000u64);
    for (i, (id, _, wallets)) in DS_INVESTORS.iter().enumerate() {
        let locked = if i % 2 == 0 { U256::from(50) } else { U256::ZERO };
        let release = if i == 0 { 0u64 } else { 4_000_000_000 };
        let amount = U256::from(500 + rng.below(500));
        tx!(
            t.issueTokensCustom(w(wallets[0]), amount, now, locked, format!("issuance {id}"), release),
            master,
            "issuance"
        );
    }
    // Spread across an investor's own wallets, then between investors.
    tx!(t.transfer(w(1), U256::from(120)), w(0), "own wallet");
    tx!(t.transfer(w(2), U256::from(30)), w(1), "own wallet");
    tx!(t.transfer(w(5), U256::from(100)), w(4), "own wallet");
    for _ in 0..6 {
        let from = w(rng.below(8) as usize);
        let to = w(rng.below(8) as usize);
        let balance = t.balanceOf(from).call().await?;
        let free = l.getTransferableTokens(from, U256::from(1)).call().await?;
        let amount = balance.min(free) / U256::from(4);
        if from != to && !amount.is_zero() {
            tx!(t.transfer(to, amount), from, "transfer");
        }
    }
    tx!(
        l.addManualLockRecord(w(3), U256::from(40), "regulation S".into(), U256::from(4_100_000_000u64)),
        master,
        "lock"
    );
    tx!(l.addManualLockRecord(w(6), U256::from(10), "vesting".into(), U256::ZERO), master, "lock");
    tx!(l.removeLockRecord(w(0), U256::ZERO), master, "unlock");
    tx!(l.removeLockRecordForInvestor("INV-DE-003".into(), U256::ZERO), master, "unlock investor");
    let seized = t.balanceOf(w(7)).call().await? / U256::from(2);
    tx!(t.seize(w(7), w(9), seized, "court order 2026-114".into()), master, "seizure");
    tx!(t.burn(w(3), U256::from(25), "redemption".into()), master, "burn");
    // The seized wallet's investor leaves: its wallets are emptied first and removed.
    let rest = t.balanceOf(w(7)).call().await?;
    tx!(t.seize(w(7), w(9), rest, "exit".into()), master, "seizure");
    tx!(r.removeWallet(w(7), "INV-SG-005".into()), master, "wallet removed");
    tx!(r.removeInvestor("INV-SG-005".into()), master, "investor removed");
    // One of a multi-wallet investor's wallets moves to a new investor.
    let moved = t.balanceOf(w(2)).call().await?;
    tx!(t.transfer(w(0), moved), w(2), "empty wallet");
    tx!(r.removeWallet(w(2), "INV-US-001".into()), master, "wallet removed");
    tx!(r.registerInvestor("INV-GB-006".into(), String::new()), master, "investor");
    tx!(r.setCountry("INV-GB-006".into(), "GB".into()), master, "country");
    tx!(r.addWallet(w(2), "INV-GB-006".into()), master, "wallet");
    tx!(t.transfer(w(2), U256::from(15)), w(3), "transfer");
    tx!(r.setAttribute("INV-FR-002".into(), 1, U256::from(2), far, "kyc-rejected".into()), master, "KYC");
    Ok(played)
}

/// A deployed ST-20 token and its general transfer manager.
#[derive(Clone, Copy, Debug)]
pub struct St20 {
    pub token: Address,
    pub transfer_manager: Address,
}

/// Deploys an ST-20 token with a general transfer manager attached as module type 2.
pub async fn deploy_st20(provider: &DynProvider, owner: Address, name: &str, symbol: &str) -> anyhow::Result<St20> {
    let token = DemoST20Token::deploy_builder(provider.clone(), name.into(), symbol.into())
        .from(owner)
        .deploy()
        .await
        .with_context(|| format!("deploying {symbol}"))?;
    let transfer_manager = DemoGeneralTransferManager::deploy_builder(provider.clone(), token)
        .from(owner)
        .deploy()
        .await
        .context("deploying the general transfer manager")?;
    let t = DemoST20Token::new(token, provider.clone());
    let mut name = [0u8; 32];
    name[..22].copy_from_slice(b"GeneralTransferManager");
    crate::send!(t.addModule(transfer_manager, FixedBytes(name), 2), owner, "module");
    Ok(St20 { token, transfer_manager })
}

/// Plays the ST-20 scenario: a controller, investors whitelisted (one with an expired KYC later),
/// mints, transfers, two checkpoints with trading around them, a freeze and thaw, a forced
/// transfer and a forced burn, a burn.
pub async fn play_st20(provider: &DynProvider, s: St20, cast: &Cast, seed: u64) -> anyhow::Result<Played> {
    let t = DemoST20Token::new(s.token, provider.clone());
    let gtm = DemoGeneralTransferManager::new(s.transfer_manager, provider.clone());
    let mut rng = Rng::new(seed);
    let mut played = Played::default();
    let owner = cast.agent;
    let inv = &cast.investors[..cast.investors.len().min(8)];
    macro_rules! tx {
        ($call:expr, $from:expr, $what:expr) => {
            played.note(crate::send!($call, $from, $what))
        };
    }
    tx!(t.setController(cast.investors[9]), owner, "controller");
    let (past, far) = (U256::from(1u64), U256::from(4_102_444_800u64));
    for (i, &investor) in inv.iter().enumerate() {
        tx!(gtm.modifyWhitelist(investor, past, past, far, i % 3 == 0), owner, "whitelist");
    }
    for &investor in inv {
        tx!(t.mint(investor, U256::from(100 + rng.below(900))), owner, "mint");
    }
    let mut trade = |n: usize| {
        let mut moves = Vec::new();
        for _ in 0..n {
            moves.push((inv[rng.below(inv.len() as u64) as usize], inv[rng.below(inv.len() as u64) as usize]));
        }
        moves
    };
    for (from, to) in trade(4) {
        let amount = t.balanceOf(from).call().await? / U256::from(3);
        if from != to && !amount.is_zero() {
            tx!(t.transfer(to, amount), from, "transfer");
        }
    }
    tx!(t.createCheckpoint(), owner, "checkpoint");
    for (from, to) in trade(4) {
        let amount = t.balanceOf(from).call().await? / U256::from(3);
        if from != to && !amount.is_zero() {
            tx!(t.transfer(to, amount), from, "transfer");
        }
    }
    tx!(t.freezeTransfers(), owner, "freeze");
    tx!(t.unfreezeTransfers(), owner, "thaw");
    tx!(t.forceTransfer(inv[1], inv[2], U256::from(10), Default::default()), cast.investors[9], "forced transfer");
    tx!(t.forceBurn(inv[4], U256::from(5), Default::default()), cast.investors[9], "forced burn");
    tx!(t.burn(U256::from(7)), inv[0], "burn");
    tx!(t.createCheckpoint(), owner, "checkpoint");
    // Whitelist changes after the second checkpoint: one investor may no longer receive.
    tx!(gtm.modifyWhitelist(inv[7], past, U256::ZERO, far, false), owner, "whitelist change");
    tx!(gtm.modifyWhitelist(inv[6], U256::ZERO, U256::ZERO, U256::ZERO, false), owner, "whitelist removal");
    let amount = t.balanceOf(inv[3]).call().await? / U256::from(2);
    tx!(t.transfer(inv[5], amount), inv[3], "transfer");
    Ok(played)
}
