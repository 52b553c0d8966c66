//! The decoders against logs encoded by the alloy bindings, hostile data included.

use super::*;

mod hostile {
    use proptest::prelude::*;

    use super::super::*;

    /// ABI data that claims a dynamic value far past its end, or nests offsets: a word of
    /// 0x20 then a length of 2^64 - 1, repeated.
    fn huge_dynamic(words: usize) -> Vec<u8> {
        let mut data = Vec::new();
        for i in 0..words {
            let mut word = [0u8; 32];
            if i % 2 == 0 {
                word[31] = 0x20;
            } else {
                word[24..].copy_from_slice(&u64::MAX.to_be_bytes());
            }
            data.extend_from_slice(&word);
        }
        data
    }

    proptest! {
        /// Every decoder, given any topics and data for its signature, answers an event or
        /// an undecodable log: never a panic, never an allocation sized by the data's claims.
        #[test]
        fn any_log_of_a_known_signature_is_answered(
            which in any::<prop::sample::Index>(),
            extra in proptest::collection::vec(any::<[u8; 32]>(), 0..4),
            data in proptest::collection::vec(any::<u8>(), 0..600),
            huge in 0usize..40,
        ) {
            let all: Vec<&Decoder> = all_decoders().collect();
            let decoder = *which.get(&all);
            let mut topics = vec![decoder.topic0];
            topics.extend(extra.into_iter().map(B256::from));
            let _ = decode_log(&topics, &data);
            let _ = decode_log(&topics, &huge_dynamic(huge));
        }

        #[test]
        fn any_log_is_answered(topics in proptest::collection::vec(any::<[u8; 32]>(), 0..5), data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let topics: Vec<B256> = topics.into_iter().map(B256::from).collect();
            let _ = decode_log(&topics, &data);
        }
    }
}
use alloy::primitives::{Address, U256};

fn encode<E: SolEvent>(e: &E) -> (Vec<B256>, Vec<u8>) {
    let data = e.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

#[test]
fn decodes_every_event() {
    let a = Address::repeat_byte(1);
    let b = Address::repeat_byte(2);
    let v = U256::from(12345u64);
    let (n, h) = (B256::repeat_byte(3), B256::repeat_byte(4));
    type Case = ((Vec<B256>, Vec<u8>), TokenEvent);
    let cases: Vec<Case> = vec![
        (encode(&abi::Transfer { from: a, to: b, value: v }), TokenEvent::Transfer { from: a, to: b, value: v }),
        (encode(&abi::TokensFrozen { _userAddress: a, _amount: v }), TokenEvent::TokensFrozen { holder: a, amount: v }),
        (
            encode(&abi::TokensUnfrozen { _userAddress: a, _amount: v }),
            TokenEvent::TokensUnfrozen { holder: a, amount: v },
        ),
        (
            encode(&abi::AddressFrozen { _userAddress: a, _isFrozen: true, _owner: b }),
            TokenEvent::AddressFrozen { holder: a, frozen: true, agent: b },
        ),
        (encode(&abi::Paused { _userAddress: a }), TokenEvent::Paused { agent: a }),
        (encode(&abi::Unpaused { _userAddress: a }), TokenEvent::Unpaused { agent: a }),
        (
            encode(&abi::RecoverySuccess { _lostWallet: a, _newWallet: b, _investorOnchainID: a }),
            TokenEvent::RecoverySuccess { lost_wallet: a, new_wallet: b, investor_onchain_id: a },
        ),
        (
            encode(&abi::DocumentUpdated { _name: n, _uri: "ipfs://x".into(), _documentHash: h }),
            document(DocumentAction::Updated, n, "ipfs://x".into(), h),
        ),
        (
            encode(&abi::DocumentRemoved { _name: n, _uri: "ipfs://x".into(), _documentHash: h }),
            document(DocumentAction::Removed, n, "ipfs://x".into(), h),
        ),
        (
            encode(&abi::Document { _name: n, _uri: "https://x".into(), _documentHash: h }),
            document(DocumentAction::Set, n, "https://x".into(), h),
        ),
        (
            encode(&abi::RootAnchored { sequence: U256::from(3), treeSize: 17, root: h }),
            TokenEvent::RootAnchored { sequence: 3, tree_size: 17, root: h },
        ),
    ];
    for ((topics, data), expected) in cases {
        assert_eq!(decode_log(&topics, &data), Decoded::Event(expected));
    }
}

fn mv(
    kind: MoveKind,
    partition: Option<B256>,
    operator: Address,
    from: Address,
    to: Address,
    value: U256,
) -> TokenEvent {
    movement(kind, partition, operator, from, to, value)
}

/// Every ERC-1400-family signature, the variants included, decodes to its movement.
#[test]
fn decodes_every_erc1400_variant() {
    let (op, a, b) = (Address::repeat_byte(7), Address::repeat_byte(1), Address::repeat_byte(2));
    let (p, q) = (B256::repeat_byte(0x11), B256::repeat_byte(0x22));
    let v = U256::from(500u64);
    let (d, od) = (alloy::primitives::Bytes::from_static(b"d"), alloy::primitives::Bytes::from_static(b"od"));
    let zero = Address::ZERO;
    type Case = ((Vec<B256>, Vec<u8>), TokenEvent);
    let cases: Vec<Case> = vec![
        (
            encode(&erc1400::TransferByPartition {
                _fromPartition: p,
                _operator: op,
                _from: a,
                _to: b,
                _value: v,
                _data: d.clone(),
                _operatorData: od.clone(),
            }),
            mv(MoveKind::TransferByPartition, Some(p), op, a, b, v),
        ),
        (
            encode(&erc1400::ChangedPartition { _fromPartition: p, _toPartition: q, _value: v }),
            TokenEvent::ChangedPartition { holder: zero, from_partition: p, to_partition: q, value: v },
        ),
        (
            encode(&erc1400::AuthorizedOperator { operator: op, tokenHolder: a }),
            TokenEvent::OperatorChanged { operator: op, holder: a, partition: None, authorized: true },
        ),
        (
            encode(&erc1400::RevokedOperator { operator: op, tokenHolder: a }),
            TokenEvent::OperatorChanged { operator: op, holder: a, partition: None, authorized: false },
        ),
        (
            encode(&erc1400::AuthorizedOperatorByPartition { partition: p, operator: op, tokenHolder: a }),
            TokenEvent::OperatorChanged { operator: op, holder: a, partition: Some(p), authorized: true },
        ),
        (
            encode(&erc1400::RevokedOperatorByPartition { partition: p, operator: op, tokenHolder: a }),
            TokenEvent::OperatorChanged { operator: op, holder: a, partition: Some(p), authorized: false },
        ),
        (
            encode(&erc1400::IssuedByPartition {
                partition: p,
                operator: op,
                to: a,
                value: v,
                data: d.clone(),
                operatorData: od.clone(),
            }),
            mv(MoveKind::IssuedByPartition, Some(p), op, zero, a, v),
        ),
        (
            encode(&erc1400_variants::IssuedByPartition { partition: p, to: a, value: v, data: d.clone() }),
            mv(MoveKind::IssuedByPartition, Some(p), zero, zero, a, v),
        ),
        (
            encode(&erc1400::RedeemedByPartition {
                partition: p,
                operator: op,
                from: a,
                value: v,
                data: d.clone(),
                operatorData: od.clone(),
            }),
            mv(MoveKind::RedeemedByPartition, Some(p), op, a, zero, v),
        ),
        (
            encode(&erc1400_variants::RedeemedByPartition {
                partition: p,
                operator: op,
                from: a,
                value: v,
                operatorData: od.clone(),
            }),
            mv(MoveKind::RedeemedByPartition, Some(p), op, a, zero, v),
        ),
        (
            encode(&erc1400::Issued { _operator: op, _to: a, _value: v, _data: d.clone() }),
            mv(MoveKind::Issued, None, op, zero, a, v),
        ),
        (
            encode(&erc1400::Redeemed { _operator: op, _from: a, _value: v, _data: d.clone() }),
            mv(MoveKind::Redeemed, None, op, a, zero, v),
        ),
        (
            encode(&erc1400::ControllerTransfer {
                _controller: op,
                _from: a,
                _to: b,
                _value: v,
                _data: d.clone(),
                _operatorData: od.clone(),
            }),
            mv(MoveKind::ControllerTransfer, None, op, a, b, v),
        ),
        (
            encode(&erc1400_variants::ControllerTransfer { controller: op, from: a, to: b, value: v }),
            mv(MoveKind::ControllerTransfer, None, op, a, b, v),
        ),
        (
            encode(&erc1400::ControllerRedemption {
                _controller: op,
                _tokenHolder: a,
                _value: v,
                _data: d.clone(),
                _operatorData: od.clone(),
            }),
            mv(MoveKind::ControllerRedemption, None, op, a, zero, v),
        ),
        (
            encode(&erc1400_variants::ControllerRedemption { controller: op, account: a, value: v }),
            mv(MoveKind::ControllerRedemption, None, op, a, zero, v),
        ),
    ];
    let mut topics0 = std::collections::HashSet::new();
    for ((topics, data), expected) in cases {
        assert!(topics0.insert(topics[0]), "every variant has its own topic");
        assert_eq!(decode_log(&topics, &data), Decoded::Event(expected));
    }
    // One decoder per signature, but for layouts that differ in `indexed` only.
    let mut all = std::collections::HashSet::new();
    let shared: Vec<&str> = all_decoders().filter(|d| !all.insert(d.topic0)).map(|d| d.signature).collect();
    assert_eq!(
        shared,
        [
            "ImplementationAuthoritySet(address)",
            "ModifyWhitelist(address,uint256,address,uint256,uint256,uint256,bool)"
        ]
    );
}

/// Every DS and ST-20 signature decodes, to the event its contract meant.
#[test]
fn decodes_every_ds_and_st20_event() {
    use registrar_schemas::{
        abi::{ds, st20, st20_v1, st20_v21},
        InvestorAction, InvestorChange, RuleForm,
    };
    use securitize::lock;
    let (a, b) = (Address::repeat_byte(1), Address::repeat_byte(2));
    let v = U256::from(700u64);
    let id = || "inv-1".to_string();
    let ch = |action, wallet, country: &str| {
        TokenEvent::Investor(InvestorChange {
            action,
            id: id(),
            wallet,
            country: country.into(),
            sender: b,
            ..InvestorChange::default()
        })
    };
    let lk =
        |locked, wallet, investor: String| lock(locked, wallet, investor, v, U256::from(1), "vesting".into(), v, None);
    type Case = ((Vec<B256>, Vec<u8>), TokenEvent);
    let cases: Vec<Case> = vec![
        (
            encode(&ds::Issue { to: a, value: v, valueLocked: U256::ZERO }),
            movement_for(MoveKind::Issue, Address::ZERO, Address::ZERO, a, v, String::new()),
        ),
        (
            encode(&ds::Burn { burner: a, value: v, reason: "redeemed".into() }),
            movement_for(MoveKind::Burn, Address::ZERO, a, Address::ZERO, v, "redeemed".into()),
        ),
        (
            encode(&ds::Seize { from: a, to: b, value: v, reason: "court order".into() }),
            movement_for(MoveKind::Seize, Address::ZERO, a, b, v, "court order".into()),
        ),
        (encode(&ds::WalletAdded { wallet: a }), admin(AdminAction::DsWalletAdded, a, vec![])),
        (
            encode(&ds::DSRegistryServiceInvestorAdded { investorId: id(), sender: b }),
            ch(InvestorAction::Added, Address::ZERO, ""),
        ),
        (
            encode(&ds::DSRegistryServiceInvestorCountryChanged { investorId: id(), country: "FR".into(), sender: b }),
            ch(InvestorAction::CountryChanged, Address::ZERO, "FR"),
        ),
        (
            encode(&ds::DSRegistryServiceWalletAdded { wallet: a, investorId: id(), sender: b }),
            ch(InvestorAction::WalletAdded, a, ""),
        ),
        (
            encode(&ds::Locked {
                who: a,
                value: v,
                reason: U256::from(1),
                reasonString: "vesting".into(),
                releaseTime: v,
            }),
            lk(true, a, String::new()),
        ),
        (
            encode(&ds::HolderUnlocked {
                holderId: id(),
                value: v,
                reason: U256::from(1),
                reasonString: "vesting".into(),
                releaseTime: v,
            }),
            lk(false, Address::ZERO, id()),
        ),
        (
            encode(&ds::DSServiceSet { serviceId: U256::from(4), serviceAddress: a }),
            admin(AdminAction::DsServiceSet, a, vec![U256::from(4)]),
        ),
        (
            encode(&ds::DSComplianceUIntRuleSet {
                ruleName: "totalInvestorsLimit".into(),
                prevValue: U256::ZERO,
                newValue: v,
            }),
            securitize::rule(RuleForm::Uint, "totalInvestorsLimit".into(), String::new(), U256::ZERO, v),
        ),
        (
            encode(&st20::Minted { _to: a, _value: v }),
            movement_for(MoveKind::Minted, Address::ZERO, Address::ZERO, a, v, String::new()),
        ),
        (
            encode(&st20::ForceTransfer {
                _controller: b,
                _from: a,
                _to: b,
                _value: v,
                _verifyTransfer: false,
                _data: Default::default(),
            }),
            movement_for(MoveKind::ForceTransfer, b, a, b, v, String::new()),
        ),
        (
            encode(&st20::CheckpointCreated { _checkpointId: U256::from(1), _timestamp: v }),
            TokenEvent::CheckpointCreated { id: U256::from(1), timestamp: v },
        ),
        (encode(&st20::FreezeTransfers { _status: true, _timestamp: v }), TokenEvent::TransfersFrozen { frozen: true }),
        (
            encode(&st20_v1::LogModifyWhitelist { _investor: a, _dateAdded: v, _addedBy: b, _fromTime: v, _toTime: v }),
            polymath::whitelist(a, v, b, (v, v, U256::ZERO), false),
        ),
        (
            encode(&st20_v21::ModifyWhitelist {
                _investor: a,
                _dateAdded: v,
                _addedBy: b,
                _canSendAfter: v,
                _canReceiveAfter: v,
                _expiryTime: v,
                _canBuyFromSTO: true,
            }),
            polymath::whitelist(a, v, b, (v, v, v), true),
        ),
        (
            encode(&st20::ModuleAdded {
                _types: vec![2],
                _name: B256::repeat_byte(7),
                _moduleFactory: b,
                _module: a,
                _moduleCost: U256::ZERO,
                _budget: U256::ZERO,
                _timestamp: v,
            }),
            admin(AdminAction::St20ModuleAdded, a, vec![U256::from_be_bytes([7; 32]), U256::from(2)]),
        ),
    ];
    for ((topics, data), expected) in cases {
        assert_eq!(decode_log(&topics, &data), Decoded::Event(expected));
    }
    // A transfer manager added is followed; another module is not.
    let tm = admin(AdminAction::St20ModuleAdded, a, vec![U256::from(9), U256::from(2)]);
    let TokenEvent::Admin { action, values, .. } = &tm else { unreachable!() };
    assert_eq!(action.link(values), Some(registrar_schemas::SuiteLink::TransferManager));
    assert_eq!(action.link(&[U256::from(2), U256::from(3)]), None, "the name is not a type");
}

#[test]
fn one_signature_two_layouts() {
    let a = Address::repeat_byte(5);
    let expected = Decoded::Event(admin(AdminAction::ImplementationAuthoritySet, a, vec![]));
    let (topics, data) = encode(&trex::ImplementationAuthoritySet { _implementationAuthority: a });
    assert_eq!(topics.len(), 1);
    assert_eq!(decode_log(&topics, &data), expected);
    let (topics, data) = encode(&trex_proxy::ImplementationAuthoritySet { _implementationAuthority: a });
    assert_eq!(topics.len(), 2);
    assert_eq!(decode_log(&topics, &data), expected);
}

#[test]
fn unknown_and_malformed_logs_are_reported_not_dropped() {
    assert_eq!(decode_log(&[], &[]), Decoded::Undecodable("anonymous log: no topics".into()));
    let unknown = B256::repeat_byte(9);
    assert!(matches!(decode_log(&[unknown], &[]), Decoded::Undecodable(r) if r.contains("unknown event signature")));
    // A Transfer whose value is missing from the data.
    let (topics, _) = encode(&abi::Transfer { from: Address::ZERO, to: Address::ZERO, value: U256::ZERO });
    match decode_log(&topics, &[1, 2, 3]) {
        Decoded::Undecodable(reason) => {
            assert!(reason.starts_with("Transfer(address,address,uint256)"), "{reason}")
        }
        other => panic!("decoded a truncated log: {other:?}"),
    }
    // A Transfer with `value` indexed too (as some old tokens declare it) has four topics.
    let mut four = topics.clone();
    four.push(B256::ZERO);
    assert!(matches!(decode_log(&four, &[]), Decoded::Undecodable(_)));
}
