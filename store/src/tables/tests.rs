use alloy::primitives::{Address, B256, U256};

use super::*;
use proptest::prelude::*;

fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address::from)
}
fn u256() -> impl Strategy<Value = U256> {
    any::<[u8; 32]>().prop_map(U256::from_be_bytes)
}

fn round_trip<T: Codec + PartialEq + std::fmt::Debug>(v: T) -> Result<(), TestCaseError> {
    let bytes = v.encode();
    prop_assert_eq!(T::decode(&bytes).unwrap(), v);
    // One encoding per value: a byte more or less is an error.
    let mut longer = bytes.clone();
    longer.push(0);
    prop_assert!(T::decode(&longer).is_err());
    if !bytes.is_empty() {
        prop_assert!(T::decode(&bytes[..bytes.len() - 1]).is_err());
    }
    Ok(())
}

proptest! {
    #[test]
    fn token_meta(name in ".{0,30}", symbol in ".{0,10}", decimals: u8, b: u64) {
        round_trip(TokenMeta { name, symbol, decimals, discovered_block: b })?;
    }

    #[test]
    fn token_state(s in u256(), h: u64, l: u64, p: bool) {
        round_trip(TokenState { total_supply: s, holder_count: h, listed_count: l, paused: p })?;
    }

    #[test]
    fn holder_state(b in u256(), f in u256(), z: bool, first: u64) {
        round_trip(HolderState { balance: b, frozen: f, is_frozen: z, first_acquired: first })?;
    }

    #[test]
    fn keys(t in address(), h in address(), block: u64, li: u32, bal in u256(), seq: u64) {
        round_trip(TokenBlockKey { token: t, block })?;
        round_trip(HolderKey { token: t, holder: h })?;
        round_trip(HolderBlockKey { token: t, holder: h, block })?;
        round_trip(BalanceIndexKey { token: t, balance: bal, holder: h })?;
        round_trip(EventKey { token: t, block, log_index: li })?;
        round_trip(AccountEventKey { token: t, account: h, block, log_index: li })?;
        round_trip(BlockLogKey { block, log_index: li })?;
        round_trip(UndoKey { partition: li, block, seq })?;
        round_trip(RecordKey { partition: li, offset: seq })?;
        round_trip(li)?;
        round_trip(ChainView::Combined)?;
        round_trip(ChainView::Partition(li))?;
        round_trip((block, li))?;
        round_trip(ChainStatus {
            chain_id: registrar_schemas::ChainId(seq),
            indexed_block: registrar_schemas::BlockNumber(block),
            indexed_hash: B256::from(bal.to_be_bytes::<32>()),
            head_block: registrar_schemas::BlockNumber(block.saturating_add(1)),
            finalized_block: registrar_schemas::BlockNumber(block / 2),
        })?;
        let p = B256::from(bal.to_be_bytes::<32>());
        round_trip(PartitionKey { token: t, holder: h, partition: p })?;
        round_trip(PartitionBlockKey { token: t, holder: h, partition: p, block })?;
        round_trip(bal)?;
        for kind in [LinkKind::IdentityRegistry, LinkKind::Compliance, LinkKind::IdentityStorage, LinkKind::ClaimTopics, LinkKind::TrustedIssuers] {
            round_trip(LinkKey { contract: t, kind })?;
            round_trip(LinkBlockKey { contract: t, kind, block })?;
        }
        round_trip(IdentityRecord { identity: h, country: li as u16 })?;
        for kind in [MemberKind::Agent, MemberKind::Module, MemberKind::ClaimTopic, MemberKind::TrustedIssuer] {
            round_trip(MemberBlockKey { contract: t, kind, member: B256::from(bal.to_be_bytes::<32>()), block })?;
        }
        round_trip(Membership { present: li % 2 == 0, topics: vec![bal, U256::from(seq)] })?;
        round_trip(Membership::default())?;
        round_trip(AssetPosition { amount: bal, value: U256::from(seq) })?;
        round_trip(BondKey { token: t, holder: h, class: bal, nonce: U256::from(seq) })?;
        round_trip(BondBlockKey { token: t, holder: h, class: bal, nonce: U256::from(seq), block })?;
        round_trip(VoteValue { voter: h, proposal_id: bal, support: 1, weight: U256::from(seq), reason: "ok".into(), tx_hash: B256::ZERO, timestamp: block })?;
        for detail in [
            CorporateActionDetail::Snapshot,
            CorporateActionDetail::StockSplit { numerator: bal, denominator: U256::from(seq) },
            CorporateActionDetail::Buyback { seller: h, amount: bal, price: U256::from(seq) },
            CorporateActionDetail::Matured { class_id: bal, nonce_id: U256::from(seq) },
            CorporateActionDetail::Defaulted { class_id: bal, nonce_id: U256::from(seq), reason: "missed coupon".into() },
        ] {
            round_trip(CorporateActionValue { id: bal, detail, tx_hash: B256::ZERO, timestamp: block })?;
        }
        round_trip(DistributionValue { kind: 2, account: h, amount: bal, tx_hash: B256::ZERO, timestamp: block })?;
        round_trip(VaultRequestValue { redeem: li % 2 == 0, controller: t, owner: h, request_id: U256::from(block), sender: h, amount: bal, tx_hash: B256::repeat_byte(3), timestamp: seq })?;
    }

    #[test]
    fn audit_entry(a in address(), c in address(), v in u256(), tx in any::<[u8; 32]>(), p in any::<[u8; 32]>(), ts: u64, action in 1u8..=15) {
        let action = AuditAction::from_u8(action).unwrap();
        round_trip(AuditEntry { action, account: a, counterparty: c, amount: v, agent: c, identity: a, partition: B256::from(p), tx_hash: B256::from(tx), timestamp: ts })?;
        prop_assert!(AuditEntry::decode(&[0u8; 10]).is_err());
    }

    #[test]
    fn transfer(f in address(), t in address(), v in u256(), tx in any::<[u8; 32]>(), i: u32, ts: u64) {
        round_trip(TransferValue { from: f, to: t, value: v, tx_hash: B256::from(tx), tx_index: i, timestamp: ts })?;
    }

    #[test]
    fn undo(table: u8, key in prop::collection::vec(any::<u8>(), 0..64),
            previous in prop::option::of(prop::collection::vec(any::<u8>(), 0..64))) {
        round_trip(UndoValue { table, key, previous })?;
    }

    /// The index orders by descending balance, then ascending holder.
    #[test]
    fn balance_index_sorts_descending(t in address(), a in u256(), b in u256(), h1 in address(), h2 in address()) {
        let ka = BalanceIndexKey { token: t, balance: a, holder: h1 }.encode();
        let kb = BalanceIndexKey { token: t, balance: b, holder: h2 }.encode();
        if a > b { prop_assert!(ka < kb); }
        if a < b { prop_assert!(ka > kb); }
    }

    /// Keys sort by block, so `seek_for_prev` finds the state as of a block.
    #[test]
    fn history_keys_sort_by_block(t in address(), h in address(), b1: u64, b2: u64) {
        let k1 = HolderBlockKey { token: t, holder: h, block: b1 }.encode();
        let k2 = HolderBlockKey { token: t, holder: h, block: b2 }.encode();
        prop_assert_eq!(k1.cmp(&k2), b1.cmp(&b2));
    }
}

#[test]
fn table_ids_name_their_tables() {
    for (i, name) in ALL_TABLES.iter().enumerate() {
        assert_eq!(table_name(i as u8), Some(*name));
    }
}
