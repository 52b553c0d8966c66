//! Properties of the projector on a real RocksDB: any split of the log into batches (a restart
//! at any offset) gives the same bytes; a revert gives the state of the chain without the
//! reverted blocks; the checkpoint never moves backwards; malformed records become dead letters.

use std::sync::Arc;

use alloy::primitives::{Address, B256, U256};
use proptest::prelude::*;
use registrar_log::{Metrics, Partition, RawRecord};
use registrar_schemas::{
    AdminAction, BlockNumber, BlockRef, BlocksCommitted, BondAmount, BondMoveKind, ChainEvent, ChainId,
    DistributionKind, DocumentAction, EventMeta, IdentityAction, InvestorAction, InvestorChange, LockChange, LogOffset,
    LogRecord, Move, MoveKind, PoolAssetAction, Reverted, RuleForm, TokenDiscovered, TokenEvent, WhitelistEntry,
};
use registrar_store::{HolderOrder, Projector, StateDb, StoreError};

const TOKEN: Address = Address::repeat_byte(0xee);

fn holder(i: u8) -> Address {
    Address::repeat_byte(i + 1)
}

fn meta(block: u64, log_index: u32) -> EventMeta {
    EventMeta {
        chain_id: ChainId(31337),
        block: BlockRef {
            number: BlockNumber(block),
            hash: B256::with_last_byte(block as u8),
            parent_hash: B256::with_last_byte(block.saturating_sub(1) as u8),
            timestamp: 1_700_000_000 + block * 12,
        },
        tx_hash: B256::repeat_byte(log_index as u8),
        tx_index: 0,
        log_index,
        contract: TOKEN,
    }
}

/// Every kind of token event (all 36 variants of [`TokenEvent`]), over small sets of holders,
/// partitions, tranches and proposals so that events interact: replay and revert are proven
/// for every table the projector writes.
fn event() -> impl Strategy<Value = TokenEvent> {
    prop_oneof![
        10 => balance_event(),
        3 => registry_event(),
        3 => capital_event(),
        2 => pool_event(),
        3 => investor_event()
    ]
}

/// Whether a strategy's events cover every variant: a new variant must be added to a generator.
#[allow(dead_code)]
fn covered(e: &TokenEvent) {
    match e {
        TokenEvent::Transfer { .. }
        | TokenEvent::Approval { .. }
        | TokenEvent::TokensFrozen { .. }
        | TokenEvent::TokensUnfrozen { .. }
        | TokenEvent::AddressFrozen { .. }
        | TokenEvent::Paused { .. }
        | TokenEvent::Unpaused { .. }
        | TokenEvent::Move(_)
        | TokenEvent::ChangedPartition { .. }
        | TokenEvent::OperatorChanged { .. } => {} // balance_event
        TokenEvent::Admin { .. }
        | TokenEvent::Identity { .. }
        | TokenEvent::TokenInformation { .. }
        | TokenEvent::SuiteDeployed { .. }
        | TokenEvent::RecoverySuccess { .. }
        | TokenEvent::Document { .. }
        | TokenEvent::RootAnchored { .. } => {} // registry_event
        TokenEvent::DelegateChanged { .. }
        | TokenEvent::DelegateVotesChanged { .. }
        | TokenEvent::VoteCast { .. }
        | TokenEvent::Snapshot { .. }
        | TokenEvent::StockSplit { .. }
        | TokenEvent::Buyback { .. }
        | TokenEvent::Distribution { .. }
        | TokenEvent::BondMove { .. }
        | TokenEvent::BondStatus { .. } => {} // capital_event
        TokenEvent::VaultDeposit { .. }
        | TokenEvent::VaultWithdraw { .. }
        | TokenEvent::VaultRequest { .. }
        | TokenEvent::PoolAsset { .. } => {} // pool_event
        TokenEvent::Investor(_)
        | TokenEvent::Lock(_)
        | TokenEvent::Whitelist(_)
        | TokenEvent::ComplianceRule { .. }
        | TokenEvent::CheckpointCreated { .. }
        | TokenEvent::TransfersFrozen { .. } => {} // investor_event
    }
}

/// DS registries and locks, ST-20 whitelists, checkpoints and freezes, compliance rules: over
/// three investors and a few wallets, so wallets move between investors and locks are removed.
fn investor_event() -> impl Strategy<Value = TokenEvent> {
    let h = || (0u8..5).prop_map(holder);
    let id = || prop::sample::select(vec!["inv-1", "inv-2", "inv-3"]).prop_map(String::from);
    let small = || (0u64..3).prop_map(U256::from);
    prop_oneof![
        6 => (prop::sample::select(InvestorAction::ALL.to_vec()), id(), h(), prop::sample::select(vec!["US", "FR", ""]), small(), small())
            .prop_map(|(action, id, wallet, country, attribute, value)| TokenEvent::Investor(InvestorChange {
                action, id, wallet, country: country.into(), attribute, value, expiry: value, ..InvestorChange::default()
            })),
        4 => (any::<bool>(), prop_oneof![Just(Address::ZERO), h()], prop_oneof![Just(String::new()), id()], small(), small(), any::<bool>())
            .prop_map(|(locked, wallet, investor, value, release_time, counted)| TokenEvent::Lock(LockChange {
                locked, wallet, investor, value, reason: U256::ZERO, reason_text: "lock".into(), release_time, partition: None, counted,
            })),
        2 => (h(), small(), small(), any::<bool>()).prop_map(|(investor, can_send_after, expiry, can_buy)| TokenEvent::Whitelist(WhitelistEntry {
            investor, added_by: holder(9), added_at: U256::from(1), can_send_after, can_receive_after: can_send_after, expiry, can_buy,
        })),
        1 => (prop::sample::select(RuleForm::ALL.to_vec()), prop::sample::select(vec!["totalInvestorsLimit", "usLockPeriod"]), small())
            .prop_map(|(form, rule, value)| TokenEvent::ComplianceRule { form, rule: rule.into(), key: String::new(), previous: U256::ZERO, value }),
        1 => small().prop_map(|id| TokenEvent::CheckpointCreated { id, timestamp: U256::from(1) }),
        1 => any::<bool>().prop_map(|frozen| TokenEvent::TransfersFrozen { frozen }),
    ]
}

/// T-REX suite events: roles, links, set members, identities, token information, recoveries,
/// documents and anchors.
fn registry_event() -> impl Strategy<Value = TokenEvent> {
    let h = || (0u8..5).prop_map(holder);
    let small = || (0u64..4).prop_map(U256::from);
    prop_oneof![
        4 => (prop::sample::select(AdminAction::ALL.to_vec()), h(), prop::collection::vec(small(), 0..3))
            .prop_map(|(action, subject, values)| TokenEvent::Admin { action, subject, values }),
        4 => (prop::sample::select(IdentityAction::ALL.to_vec()), prop_oneof![Just(Address::ZERO), h()], h(), h(), 0u16..3)
            .prop_map(|(action, investor, identity, previous, country)| TokenEvent::Identity { action, investor, identity, previous, country }),
        1 => ("[A-Z]{1,4}", 0u8..19).prop_map(|(symbol, decimals)| TokenEvent::TokenInformation {
            name: format!("{symbol} Shares"), symbol, decimals, version: "4.1".into(), onchain_id: Address::ZERO,
        }),
        1 => h().prop_map(|a| TokenEvent::SuiteDeployed {
            token: a, identity_registry: a, identity_storage: a, trusted_issuers: a, claim_topics: a, compliance: a,
        }),
        1 => (h(), h()).prop_map(|(lost_wallet, new_wallet)| TokenEvent::RecoverySuccess { lost_wallet, new_wallet, investor_onchain_id: holder(7) }),
        1 => prop::sample::select(vec![DocumentAction::Updated, DocumentAction::Removed, DocumentAction::Set])
            .prop_map(|action| TokenEvent::Document { action, name: B256::with_last_byte(1), uri: "ipfs://x".into(), document_hash: B256::ZERO }),
        1 => (1u64..4).prop_map(|n| TokenEvent::RootAnchored { sequence: n, tree_size: n, root: B256::with_last_byte(n as u8) }),
    ]
}

/// Governance, corporate actions, distributions and ERC-3475 bonds.
fn capital_event() -> impl Strategy<Value = TokenEvent> {
    let h = || (0u8..5).prop_map(holder);
    let amount = || (0u64..1_000).prop_map(U256::from);
    let small = || (0u64..3).prop_map(U256::from);
    let position = move || {
        (small(), small(), amount()).prop_map(|(class_id, nonce_id, amount)| BondAmount { class_id, nonce_id, amount })
    };
    prop_oneof![
        1 => (h(), h(), h()).prop_map(|(delegator, from_delegate, to_delegate)| TokenEvent::DelegateChanged { delegator, from_delegate, to_delegate }),
        1 => (h(), amount(), amount()).prop_map(|(delegate, previous, votes)| TokenEvent::DelegateVotesChanged { delegate, previous, votes }),
        2 => (h(), small(), 0u8..4, amount()).prop_map(|(voter, proposal_id, support, weight)| TokenEvent::VoteCast { voter, proposal_id, support, weight, reason: String::new() }),
        1 => small().prop_map(|id| TokenEvent::Snapshot { id }),
        1 => (small(), 1u64..4, 1u64..4).prop_map(|(id, n, d)| TokenEvent::StockSplit { id, numerator: U256::from(n), denominator: U256::from(d) }),
        1 => (small(), h(), amount(), amount()).prop_map(|(id, seller, amount, price)| TokenEvent::Buyback { id, seller, amount, price }),
        1 => (prop::sample::select(DistributionKind::ALL.to_vec()), h(), amount()).prop_map(|(kind, account, amount)| TokenEvent::Distribution { kind, account, amount }),
        3 => (prop::sample::select(vec![BondMoveKind::Issue, BondMoveKind::Transfer, BondMoveKind::Redeem]), h(), h(), prop::collection::vec(position(), 1..3))
            .prop_map(|(kind, from, to, positions)| {
                let (from, to) = match kind {
                    BondMoveKind::Issue => (Address::ZERO, to),
                    BondMoveKind::Redeem => (from, Address::ZERO),
                    BondMoveKind::Transfer => (from, to),
                };
                TokenEvent::BondMove { kind, operator: holder(9), from, to, positions }
            }),
        1 => (small(), small(), any::<bool>()).prop_map(|(class_id, nonce_id, defaulted)| TokenEvent::BondStatus {
            class_id, nonce_id, defaulted, reason: if defaulted { "missed coupon".into() } else { String::new() },
        }),
    ]
}

/// ERC-4626 / ERC-7540 vaults and pool composition.
fn pool_event() -> impl Strategy<Value = TokenEvent> {
    let h = || (0u8..5).prop_map(holder);
    let amount = || (0u64..1_000).prop_map(U256::from);
    let asset = || prop_oneof![Just(Address::repeat_byte(0xa1)), Just(Address::repeat_byte(0xa2))];
    prop_oneof![
        2 => (h(), amount(), amount()).prop_map(|(owner, assets, shares)| TokenEvent::VaultDeposit { sender: owner, owner, assets, shares }),
        1 => (h(), amount(), amount()).prop_map(|(owner, assets, shares)| TokenEvent::VaultWithdraw { sender: owner, receiver: owner, owner, assets, shares }),
        1 => (any::<bool>(), h(), amount()).prop_map(|(redeem, owner, amount)| TokenEvent::VaultRequest {
            redeem, controller: owner, owner, request_id: U256::ZERO, sender: owner, amount,
        }),
        2 => (prop::sample::select(vec![PoolAssetAction::Added, PoolAssetAction::Removed, PoolAssetAction::Revalued]), asset(), amount(), amount())
            .prop_map(|(action, asset, amount, value)| TokenEvent::PoolAsset { action, asset, amount, value }),
    ]
}

/// Balances: ERC-20 transfers, T-REX freezes and pauses, ERC-1400 movements and operators.
fn balance_event() -> impl Strategy<Value = TokenEvent> {
    let h = || (0u8..5).prop_map(holder);
    let amount = || (0u64..1_000).prop_map(U256::from);
    prop_oneof![
        4 => (h(), amount()).prop_map(|(to, value)| TokenEvent::Transfer { from: Address::ZERO, to, value }),
        6 => (h(), h(), amount()).prop_map(|(from, to, value)| TokenEvent::Transfer { from, to, value }),
        2 => (h(), amount()).prop_map(|(from, value)| TokenEvent::Transfer { from, to: Address::ZERO, value }),
        1 => (h(), amount()).prop_map(|(holder, amount)| TokenEvent::TokensFrozen { holder, amount }),
        1 => (h(), amount()).prop_map(|(holder, amount)| TokenEvent::TokensUnfrozen { holder, amount }),
        1 => (h(), any::<bool>()).prop_map(|(holder, frozen)| TokenEvent::AddressFrozen { holder, frozen, agent: Address::ZERO }),
        1 => (h(), h(), amount()).prop_map(|(owner, spender, value)| TokenEvent::Approval { owner, spender, value }),
        1 => Just(TokenEvent::Paused { agent: Address::ZERO }),
        1 => Just(TokenEvent::Unpaused { agent: Address::ZERO }),
        // ERC-1400 movements, in two partitions, counted or not, and partition changes.
        4 => (prop::sample::select(MoveKind::ALL.to_vec()), prop::option::of(partition()), h(), h(), amount(), any::<bool>())
            .prop_map(|(kind, partition, from, to, value, moves_balance)| {
                let (from, to) = match kind {
                    MoveKind::IssuedByPartition | MoveKind::Issued | MoveKind::Issue | MoveKind::Minted => (Address::ZERO, to),
                    MoveKind::RedeemedByPartition
                    | MoveKind::Redeemed
                    | MoveKind::ControllerRedemption
                    | MoveKind::Burn
                    | MoveKind::Burnt
                    | MoveKind::ForceBurn => (from, Address::ZERO),
                    _ => (from, to),
                };
                let reason = if kind == MoveKind::Seize { "court order".into() } else { String::new() };
                TokenEvent::Move(Move { kind, partition, operator: holder(9), from, to, value, reason, moves_balance })
            }),
        1 => (h(), partition(), partition(), amount()).prop_map(|(holder, from_partition, to_partition, value)| {
            TokenEvent::ChangedPartition { holder, from_partition, to_partition, value }
        }),
        1 => (h(), h(), prop::option::of(partition()), any::<bool>()).prop_map(|(operator, holder, partition, authorized)| {
            TokenEvent::OperatorChanged { operator, holder, partition, authorized }
        }),
    ]
}

fn partition() -> impl Strategy<Value = B256> {
    prop_oneof![Just(B256::with_last_byte(1)), Just(B256::with_last_byte(2))]
}

/// A log as ingest writes it: discovery, then per block its events and a commit.
fn chain(blocks: &[Vec<TokenEvent>], confirmations: u64) -> Vec<LogRecord> {
    let mut out = vec![LogRecord::TokenDiscovered(TokenDiscovered {
        chain_id: ChainId(31337),
        address: TOKEN,
        name: "Token".into(),
        symbol: "TKN".into(),
        decimals: 0,
        block: BlockNumber(1),
    })];
    for (i, events) in blocks.iter().enumerate() {
        let block = i as u64 + 1;
        for (j, e) in events.iter().enumerate() {
            out.push(LogRecord::Event(ChainEvent { meta: meta(block, j as u32), event: e.clone() }));
        }
        out.push(committed(block, blocks.len() as u64, confirmations));
    }
    out
}

fn committed(block: u64, head: u64, confirmations: u64) -> LogRecord {
    LogRecord::Committed(BlocksCommitted {
        chain_id: ChainId(31337),
        block: BlockNumber(block),
        block_hash: B256::with_last_byte(block as u8),
        head: BlockNumber(head),
        finalized: BlockNumber(head.saturating_sub(confirmations)),
    })
}

fn raw(records: &[LogRecord]) -> Vec<RawRecord> {
    records.iter().enumerate().map(|(i, r)| RawRecord::new(Partition(0), LogOffset(i as u64), r.encode())).collect()
}

fn open() -> (tempfile::TempDir, Arc<StateDb>, Projector) {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(StateDb::open(dir.path()).unwrap());
    let projector = Projector::new(db.clone(), Arc::new(Metrics::default()));
    (dir, db, projector)
}

/// Applies `records` in batches cut at `cuts`, reopening the database at each cut as a
/// restarted process would.
fn apply_split(records: &[RawRecord], cuts: &[usize]) -> (tempfile::TempDir, B256) {
    let dir = tempfile::tempdir().unwrap();
    let mut start = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (records.len() + 1)).collect();
    cuts.sort();
    cuts.push(records.len());
    for cut in cuts {
        if cut <= start {
            continue;
        }
        let db = Arc::new(StateDb::open(dir.path()).unwrap());
        let projector = Projector::new(db.clone(), Arc::new(Metrics::default()));
        projector.apply(&records[start..cut]).unwrap();
        start = cut;
    }
    let digest = StateDb::open(dir.path()).unwrap().digest().unwrap();
    (dir, digest)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Replaying from any offset, in any batch sizes, gives byte-identical state.
    #[test]
    fn any_batching_gives_identical_bytes(
        blocks in prop::collection::vec(prop::collection::vec(event(), 0..6), 1..12),
        cuts in prop::collection::vec(any::<usize>(), 0..5),
    ) {
        let records = raw(&chain(&blocks, 3));
        let (_a, whole) = apply_split(&records, &[]);
        let (_b, split) = apply_split(&records, &cuts);
        prop_assert_eq!(whole, split);
    }

    /// Final blocks' changes are folded in memory and written once per batch; blocks above
    /// the finalized block are written change by change with undo records. Whatever the mix,
    /// one record per batch and the whole log in one batch give byte-identical state, undo
    /// records and checkpoints included.
    #[test]
    fn folded_batches_equal_one_record_at_a_time(
        blocks in prop::collection::vec(prop::collection::vec(event(), 0..8), 1..12),
        confirmations in 0u64..14,
    ) {
        let records = raw(&chain(&blocks, confirmations));
        let (_a, db_a, p_a) = open();
        p_a.apply(&records).unwrap();
        let (_b, db_b, p_b) = open();
        for r in &records {
            p_b.apply(std::slice::from_ref(r)).unwrap();
        }
        prop_assert_eq!(db_a.digest().unwrap(), db_b.digest().unwrap());
    }

    /// Reverting to block k gives the state of the chain that stopped at k.
    #[test]
    fn revert_equals_the_shorter_chain(
        blocks in prop::collection::vec(prop::collection::vec(event(), 0..6), 2..10),
        k in any::<prop::sample::Index>(),
        replacement in prop::collection::vec(prop::collection::vec(event(), 0..4), 0..3),
    ) {
        let n = blocks.len() as u64;
        // Keep every block unfinalized so it can be reverted.
        let confirmations = n + 10;
        let ancestor = k.index(blocks.len()) as u64 + 1;
        // The chain that went to n, then reorganised to ancestor and grew a new branch.
        let mut reorged = chain(&blocks, confirmations);
        reorged.push(LogRecord::Reverted(Reverted {
            chain_id: ChainId(31337),
            common_ancestor: BlockNumber(ancestor),
            common_ancestor_hash: B256::with_last_byte(ancestor as u8),
            abandoned_tip: BlockNumber(n),
        }));
        let mut straight: Vec<Vec<TokenEvent>> = blocks[..ancestor as usize].to_vec();
        for (i, events) in replacement.iter().enumerate() {
            let block = ancestor + 1 + i as u64;
            for (j, e) in events.iter().enumerate() {
                reorged.push(LogRecord::Event(ChainEvent { meta: meta(block, j as u32), event: e.clone() }));
            }
            reorged.push(committed(block, block, confirmations));
            straight.push(events.clone());
        }
        let (_a, db_a, p_a) = open();
        p_a.apply(&raw(&reorged)).unwrap();
        let (_b, db_b, p_b) = open();
        let mut straight_log = chain(&straight, confirmations);
        // The straight chain's commits carry other heads; only the business state is compared.
        straight_log.retain(|r| !matches!(r, LogRecord::Committed(_)));
        p_b.apply(&raw(&straight_log)).unwrap();
        prop_assert_eq!(db_a.state_digest().unwrap(), db_b.state_digest().unwrap());
    }

    /// A broker that retries a batch without deduplicating it leaves copies of a run of records
    /// right after the run; the projector drops every copy.
    #[test]
    fn copies_of_records_are_dropped(
        blocks in prop::collection::vec(prop::collection::vec(event(), 0..6), 1..12),
        retries in prop::collection::vec((any::<prop::sample::Index>(), 1usize..8), 0..6),
    ) {
        let records = chain(&blocks, 3);
        let mut at: Vec<(usize, usize)> = retries.iter().map(|(i, len)| (i.index(records.len()) + 1, *len)).collect();
        at.sort();
        let mut with_copies = Vec::new();
        for (i, r) in records.iter().enumerate() {
            with_copies.push(r.clone());
            for (_, len) in at.iter().filter(|(end, _)| *end == i + 1) {
                let run = &records[(i + 1).saturating_sub(*len)..=i];
                with_copies.extend(run.iter().cloned());
            }
        }
        let (_a, db_a, p_a) = open();
        p_a.apply(&raw(&records)).unwrap();
        let metrics = Arc::new(Metrics::default());
        let (_b, db_b, _) = open();
        let p_b = Projector::new(db_b.clone(), metrics.clone());
        p_b.apply(&raw(&with_copies)).unwrap();
        prop_assert_eq!(db_a.state_digest().unwrap(), db_b.state_digest().unwrap());
        // Copies of events are counted; copies of commits and discoveries change nothing anyway.
        let dropped = metrics.duplicates_dropped.load(std::sync::atomic::Ordering::Relaxed) as usize;
        prop_assert!(dropped <= with_copies.len() - records.len());
    }
}

/// With two partitions, a revert in one undoes that partition's changes only (each token lives
/// in one partition), and the chain status is the least advanced partition's.
#[test]
fn each_partition_reverts_its_own_changes() {
    let other = Address::repeat_byte(0xdd);
    let in_partition = |records: Vec<LogRecord>, partition: u32| -> Vec<RawRecord> {
        records
            .iter()
            .enumerate()
            .map(|(i, r)| RawRecord::new(Partition(partition), LogOffset(i as u64), r.encode()))
            .collect()
    };
    let mint = |token: Address, block: u64, value: u64| {
        let mut m = meta(block, 0);
        m.contract = token;
        LogRecord::Event(ChainEvent {
            meta: m,
            event: TokenEvent::Transfer { from: Address::ZERO, to: holder(0), value: U256::from(value) },
        })
    };
    let revert = LogRecord::Reverted(Reverted {
        chain_id: ChainId(31337),
        common_ancestor: BlockNumber(2),
        common_ancestor_hash: B256::with_last_byte(2),
        abandoned_tip: BlockNumber(4),
    });
    // Nothing is final (confirmations 100): everything can be reverted.
    let p0 = vec![mint(TOKEN, 1, 10), committed(1, 4, 100), mint(TOKEN, 4, 5), committed(4, 4, 100), revert.clone()];
    let p1 = vec![mint(other, 1, 7), committed(1, 4, 100), mint(other, 3, 3), committed(3, 4, 100)];
    let (_d, db, projector) = open();
    let projector = projector.with_partitions(2);
    projector.apply(&in_partition(p0, 0)).unwrap();
    projector.apply(&in_partition(p1.clone(), 1)).unwrap();
    let balance = |token: Address| {
        db.holders_at(token, 10, HolderOrder::BalanceDesc, 10, None).unwrap().rows.first().map(|r| r.state.balance)
    };
    // Partition 0's revert undid its block 4 only; partition 1's block 3 stands until its own
    // copy of the revert arrives.
    assert_eq!(balance(TOKEN), Some(U256::from(10)));
    assert_eq!(balance(other), Some(U256::from(10)));
    assert_eq!(db.chain_status().unwrap().unwrap().indexed_block, BlockNumber(2), "the least advanced partition");
    let mut p1_revert = p1;
    p1_revert.push(revert);
    let last = in_partition(p1_revert, 1).pop().unwrap();
    projector.apply(&[last]).unwrap();
    assert_eq!(balance(other), Some(U256::from(7)));
    assert_eq!(db.applied_offsets().unwrap(), vec![(0, LogOffset(4)), (1, LogOffset(4))]);
}

#[test]
fn balances_supply_and_counts_follow_the_events() {
    let blocks = vec![
        vec![
            TokenEvent::Transfer { from: Address::ZERO, to: holder(0), value: U256::from(100) },
            TokenEvent::Transfer { from: Address::ZERO, to: holder(1), value: U256::from(50) },
        ],
        vec![
            TokenEvent::Transfer { from: holder(0), to: holder(2), value: U256::from(30) },
            TokenEvent::TokensFrozen { holder: holder(0), amount: U256::from(20) },
        ],
        vec![
            TokenEvent::Transfer { from: holder(1), to: Address::ZERO, value: U256::from(50) },
            TokenEvent::AddressFrozen { holder: holder(3), frozen: true, agent: Address::ZERO },
            TokenEvent::Paused { agent: Address::ZERO },
        ],
    ];
    let (_d, db, projector) = open();
    let outcome = projector.apply(&raw(&chain(&blocks, 1))).unwrap();
    assert_eq!(outcome.events, 7);
    let t = db.token_at(TOKEN, 3).unwrap();
    assert_eq!(t.total_supply, U256::from(100));
    assert_eq!(t.holder_count, 2);
    assert_eq!(t.listed_count, 3, "holder 3 is listed for its frozen wallet");
    assert!(t.paused);
    let h0 = db.holder_at(TOKEN, holder(0), 3).unwrap();
    assert_eq!((h0.balance, h0.frozen, h0.is_frozen), (U256::from(70), U256::from(20), false));
    assert_eq!(h0.first_acquired, 1);
    // As of block 1, before the transfer and the freeze.
    assert_eq!(db.holder_at(TOKEN, holder(0), 1).unwrap().balance, U256::from(100));
    assert_eq!(db.token_at(TOKEN, 1).unwrap().total_supply, U256::from(150));
    assert!(!db.token_at(TOKEN, 2).unwrap().paused);
    let page = db.holders_at(TOKEN, 3, HolderOrder::BalanceDesc, 10, None).unwrap();
    let listed: Vec<_> = page.rows.iter().map(|r| (r.address, r.state.balance)).collect();
    assert_eq!(listed, vec![(holder(0), U256::from(70)), (holder(2), U256::from(30)), (holder(3), U256::ZERO)]);
    // The same list as of block 1 comes from the history.
    let page = db.holders_at(TOKEN, 1, HolderOrder::BalanceDesc, 10, None).unwrap();
    let listed: Vec<_> = page.rows.iter().map(|r| (r.address, r.state.balance)).collect();
    assert_eq!(listed, vec![(holder(0), U256::from(100)), (holder(1), U256::from(50))]);
    // Pagination: two pages of one, then the rest.
    let p1 = db.holders_at(TOKEN, 3, HolderOrder::BalanceDesc, 1, None).unwrap();
    assert!(p1.has_next);
    let p2 = db.holders_at(TOKEN, 3, HolderOrder::BalanceDesc, 5, p1.end_cursor.as_deref()).unwrap();
    assert_eq!(p2.rows.len(), 2);
    assert!(!p2.has_next);
    let transfers = db.transfers(TOKEN, Default::default(), 3, 10, None).unwrap();
    assert_eq!(transfers.rows.len(), 4);
    let from0 = registrar_store::TransferFilter { from: Some(holder(0)), ..Default::default() };
    assert_eq!(db.transfers(TOKEN, from0, 3, 10, None).unwrap().rows.len(), 1);
}

/// Ingest sends a token's discovery again after a restart or a failed append; what the token's
/// own events changed since stays.
#[test]
fn a_discovery_sent_again_keeps_what_events_changed() {
    let renamed = TokenEvent::TokenInformation {
        name: "A Shares".into(),
        symbol: "A".into(),
        decimals: 0,
        version: "4.1".into(),
        onchain_id: Address::ZERO,
    };
    let mut records = chain(&[vec![renamed]], 3);
    let discovery = records[0].clone();
    records.insert(2, discovery);
    let (_dir, db, projector) = open();
    projector.apply(&raw(&records)).unwrap();
    let token = db.token(TOKEN).unwrap().expect("discovered");
    assert_eq!((token.name.as_str(), token.symbol.as_str()), ("A Shares", "A"));
}

#[test]
fn the_checkpoint_never_moves_backwards() {
    let records = raw(&chain(&[vec![TokenEvent::Paused { agent: Address::ZERO }]], 1));
    let (_d, _db, projector) = open();
    projector.apply(&records).unwrap();
    let again = projector.apply(&records[..1]).unwrap_err();
    assert!(matches!(again, StoreError::CheckpointGap { .. }), "{again}");
    // Out of order within a batch, or mixing partitions, is refused too.
    let next = LogOffset(records.len() as u64 + 5);
    let backwards = [
        RawRecord::new(Partition(0), next, records[0].bytes.clone()),
        RawRecord::new(Partition(0), LogOffset(next.0 - 1), records[0].bytes.clone()),
    ];
    assert!(matches!(projector.apply(&backwards).unwrap_err(), StoreError::CheckpointGap { .. }));
    let mixed = [
        RawRecord::new(Partition(0), next, records[0].bytes.clone()),
        RawRecord::new(Partition(1), next.next(), records[0].bytes.clone()),
    ];
    assert!(matches!(projector.apply(&mixed).unwrap_err(), StoreError::CheckpointGap { .. }));
}

#[test]
fn malformed_records_become_dead_letters_and_the_rest_applies() {
    let mut records =
        raw(&chain(&[vec![TokenEvent::Transfer { from: Address::ZERO, to: holder(0), value: U256::from(5) }]], 1));
    records.insert(1, RawRecord::new(Partition(0), LogOffset(1), vec![0xff, 0x00, 0x13]));
    for (i, r) in records.iter_mut().enumerate() {
        r.offset = LogOffset(i as u64);
    }
    let (_d, db, projector) = open();
    projector.apply(&records).unwrap();
    assert_eq!(db.dead_letter_count().unwrap(), 1);
    assert_eq!(db.holder_at(TOKEN, holder(0), 1).unwrap().balance, U256::from(5));
    assert_eq!(db.applied_offset(Partition(0)).unwrap(), Some(LogOffset(records.len() as u64 - 1)));
}

/// Records no ingest writes, put on the log by someone else: a revert below the finalized block
/// (it used to stop every replica on every start), a commit or an event at block `u64::MAX`
/// (every later record would have looked like a copy). Each is set aside as a dead letter, and
/// what follows applies.
#[test]
fn records_that_cannot_be_applied_are_set_aside() {
    let mint =
        |to: u8, value: u64| TokenEvent::Transfer { from: Address::ZERO, to: holder(to), value: U256::from(value) };
    let mut log = chain(&[vec![mint(0, 5)], vec![], vec![], vec![]], 1);
    log.push(LogRecord::Reverted(Reverted {
        chain_id: ChainId(31337),
        common_ancestor: BlockNumber(1),
        common_ancestor_hash: B256::with_last_byte(1),
        abandoned_tip: BlockNumber(4),
    }));
    log.push(LogRecord::Reverted(Reverted {
        chain_id: ChainId(31337),
        common_ancestor: BlockNumber(4),
        common_ancestor_hash: B256::with_last_byte(4),
        abandoned_tip: BlockNumber(4),
    }));
    log.push(committed(u64::MAX, u64::MAX, 1));
    log.push(committed(7, 5, 1));
    log.push(LogRecord::Event(ChainEvent { meta: meta((1 << 40) + 1, 0), event: mint(1, 1) }));
    log.push(LogRecord::Event(ChainEvent { meta: meta(5, 0), event: mint(2, 7) }));
    log.push(committed(5, 5, 1));
    let (_d, db, projector) = open();
    projector.apply(&raw(&log)).unwrap();
    assert_eq!(db.dead_letter_count().unwrap(), 5);
    assert_eq!(db.holder_at(TOKEN, holder(0), 5).unwrap().balance, U256::from(5), "not reverted");
    assert_eq!(db.holder_at(TOKEN, holder(1), 5).unwrap().balance, U256::ZERO);
    assert_eq!(db.holder_at(TOKEN, holder(2), 5).unwrap().balance, U256::from(7), "the partition goes on");
    assert_eq!(db.chain_status().unwrap().unwrap().indexed_block, BlockNumber(5));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// `block_at_time` (a binary search) answers what a scan of every block would: the last
    /// block with events at or before the time.
    #[test]
    fn block_at_time_is_the_last_block_at_or_before(with_events in proptest::collection::vec(any::<bool>(), 1..60), probes in proptest::collection::vec(0u64..900, 1..20)) {
        let blocks: Vec<Vec<TokenEvent>> = with_events
            .iter()
            .enumerate()
            .map(|(i, e)| if *e { vec![TokenEvent::Transfer { from: Address::ZERO, to: holder(i as u8), value: U256::from(1) }] } else { vec![] })
            .collect();
        let (_d, db, projector) = open();
        projector.apply(&raw(&chain(&blocks, 1))).unwrap();
        for probe in probes {
            let time = 1_700_000_000 + probe;
            let expected = (1..=blocks.len() as u64)
                .filter(|b| with_events[*b as usize - 1] && 1_700_000_000 + b * 12 <= time)
                .max();
            prop_assert_eq!(db.block_at_time(time).unwrap().map(|(b, _)| b), expected);
        }
    }
}
