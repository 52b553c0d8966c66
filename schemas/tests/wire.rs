//! The Protobuf encoding of log records: round trips for every record shape, and `protoc`, an
//! independent implementation reading only `log.proto`, decodes what Rust encodes.

use std::{io::Write, process::Command};

use alloy::primitives::{Address, Bytes, B256, U256};
use proptest::prelude::*;
use registrar_schemas::{
    AdminAction, BlockNumber, BlockRef, BlocksCommitted, BondAmount, BondMoveKind, ChainEvent, ChainId,
    DistributionKind, DocumentAction, EventMeta, IdentityAction, InvestorAction, InvestorChange, LockChange, LogRecord,
    Move, MoveKind, PoolAssetAction, Reverted, RuleForm, TokenDiscovered, TokenEvent, UndecodedLog, WhitelistEntry,
};

fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address::from)
}

fn hash() -> impl Strategy<Value = B256> {
    any::<[u8; 32]>().prop_map(B256::from)
}

fn amount() -> impl Strategy<Value = U256> {
    any::<[u8; 32]>().prop_map(U256::from_be_bytes)
}

fn meta() -> impl Strategy<Value = EventMeta> {
    (any::<u64>(), any::<u64>(), hash(), hash(), any::<u64>(), hash(), any::<u32>(), any::<u32>(), address()).prop_map(
        |(chain, number, h, p, ts, tx, txi, li, contract)| EventMeta {
            chain_id: ChainId(chain),
            block: BlockRef { number: BlockNumber(number), hash: h, parent_hash: p, timestamp: ts },
            tx_hash: tx,
            tx_index: txi,
            log_index: li,
            contract,
        },
    )
}

fn token_event() -> impl Strategy<Value = TokenEvent> {
    prop_oneof![
        (address(), address(), amount()).prop_map(|(from, to, value)| TokenEvent::Transfer { from, to, value }),
        (address(), amount()).prop_map(|(holder, amount)| TokenEvent::TokensFrozen { holder, amount }),
        (address(), amount()).prop_map(|(holder, amount)| TokenEvent::TokensUnfrozen { holder, amount }),
        (address(), any::<bool>(), address()).prop_map(|(holder, frozen, agent)| TokenEvent::AddressFrozen {
            holder,
            frozen,
            agent
        }),
        address().prop_map(|agent| TokenEvent::Paused { agent }),
        address().prop_map(|agent| TokenEvent::Unpaused { agent }),
        (address(), address(), address()).prop_map(|(l, n, i)| TokenEvent::RecoverySuccess {
            lost_wallet: l,
            new_wallet: n,
            investor_onchain_id: i
        }),
        (
            prop_oneof![Just(DocumentAction::Updated), Just(DocumentAction::Removed), Just(DocumentAction::Set)],
            hash(),
            ".{0,40}",
            hash()
        )
            .prop_map(|(action, name, uri, document_hash)| TokenEvent::Document {
                action,
                name,
                uri,
                document_hash
            }),
        (any::<u64>(), any::<u64>(), hash()).prop_map(|(sequence, tree_size, root)| TokenEvent::RootAnchored {
            sequence,
            tree_size,
            root
        }),
        (
            prop::sample::select(MoveKind::ALL.to_vec()),
            prop::option::of(hash()),
            address(),
            address(),
            address(),
            amount(),
            ".{0,12}",
            any::<bool>()
        )
            .prop_map(|(kind, partition, operator, from, to, value, reason, moves_balance)| TokenEvent::Move(
                Move { kind, partition, operator, from, to, value, reason, moves_balance }
            )),
        (
            prop::sample::select(InvestorAction::ALL.to_vec()),
            ".{0,20}",
            address(),
            "[A-Z]{0,2}",
            (amount(), amount(), amount()),
            ".{0,10}",
            address()
        )
            .prop_map(|(action, id, wallet, country, (attribute, value, expiry), proof_hash, sender)| {
                TokenEvent::Investor(InvestorChange {
                    action,
                    id,
                    wallet,
                    country,
                    attribute,
                    value,
                    expiry,
                    proof_hash,
                    sender,
                })
            }),
        (
            any::<bool>(),
            address(),
            ".{0,20}",
            (amount(), amount(), amount()),
            ".{0,10}",
            prop::option::of(hash()),
            any::<bool>()
        )
            .prop_map(
                |(locked, wallet, investor, (value, reason, release_time), reason_text, partition, counted)| {
                    TokenEvent::Lock(LockChange {
                        locked,
                        wallet,
                        investor,
                        value,
                        reason,
                        reason_text,
                        release_time,
                        partition,
                        counted,
                    })
                }
            ),
        (address(), address(), (amount(), amount(), amount(), amount()), any::<bool>()).prop_map(
            |(investor, added_by, (added_at, can_send_after, can_receive_after, expiry), can_buy)| {
                TokenEvent::Whitelist(WhitelistEntry {
                    investor,
                    added_by,
                    added_at,
                    can_send_after,
                    can_receive_after,
                    expiry,
                    can_buy,
                })
            }
        ),
        (prop::sample::select(RuleForm::ALL.to_vec()), ".{0,20}", ".{0,8}", amount(), amount()).prop_map(
            |(form, rule, key, previous, value)| TokenEvent::ComplianceRule { form, rule, key, previous, value }
        ),
        (amount(), amount()).prop_map(|(id, timestamp)| TokenEvent::CheckpointCreated { id, timestamp }),
        any::<bool>().prop_map(|frozen| TokenEvent::TransfersFrozen { frozen }),
        (address(), address(), amount()).prop_map(|(owner, spender, value)| TokenEvent::Approval {
            owner,
            spender,
            value
        }),
        (address(), hash(), hash(), amount()).prop_map(|(holder, from_partition, to_partition, value)| {
            TokenEvent::ChangedPartition { holder, from_partition, to_partition, value }
        }),
        (prop::sample::select(AdminAction::ALL.to_vec()), address(), prop::collection::vec(amount(), 0..4))
            .prop_map(|(action, subject, values)| TokenEvent::Admin { action, subject, values }),
        (prop::sample::select(IdentityAction::ALL.to_vec()), address(), address(), address(), any::<u16>()).prop_map(
            |(action, investor, identity, previous, country)| TokenEvent::Identity {
                action,
                investor,
                identity,
                previous,
                country
            }
        ),
        (".{0,20}", ".{0,8}", any::<u8>(), ".{0,8}", address()).prop_map(
            |(name, symbol, decimals, version, onchain_id)| TokenEvent::TokenInformation {
                name,
                symbol,
                decimals,
                version,
                onchain_id
            }
        ),
        (address(), address(), address(), address(), address(), address()).prop_map(|(t, ir, irs, tir, ctr, mc)| {
            TokenEvent::SuiteDeployed {
                token: t,
                identity_registry: ir,
                identity_storage: irs,
                trusted_issuers: tir,
                claim_topics: ctr,
                compliance: mc,
            }
        }),
        (address(), address(), address()).prop_map(|(delegator, from_delegate, to_delegate)| {
            TokenEvent::DelegateChanged { delegator, from_delegate, to_delegate }
        }),
        (address(), amount(), amount()).prop_map(|(delegate, previous, votes)| TokenEvent::DelegateVotesChanged {
            delegate,
            previous,
            votes
        }),
        (address(), amount(), any::<u8>(), amount(), ".{0,20}").prop_map(
            |(voter, proposal_id, support, weight, reason)| TokenEvent::VoteCast {
                voter,
                proposal_id,
                support,
                weight,
                reason
            }
        ),
        amount().prop_map(|id| TokenEvent::Snapshot { id }),
        (amount(), amount(), amount()).prop_map(|(id, numerator, denominator)| TokenEvent::StockSplit {
            id,
            numerator,
            denominator
        }),
        (amount(), address(), amount(), amount()).prop_map(|(id, seller, amount, price)| TokenEvent::Buyback {
            id,
            seller,
            amount,
            price
        }),
        (prop::sample::select(DistributionKind::ALL.to_vec()), address(), amount())
            .prop_map(|(kind, account, amount)| TokenEvent::Distribution { kind, account, amount }),
        (
            prop_oneof![Just(BondMoveKind::Issue), Just(BondMoveKind::Transfer), Just(BondMoveKind::Redeem)],
            address(),
            address(),
            address(),
            prop::collection::vec(
                (amount(), amount(), amount()).prop_map(|(class_id, nonce_id, amount)| BondAmount {
                    class_id,
                    nonce_id,
                    amount
                }),
                0..3
            )
        )
            .prop_map(|(kind, operator, from, to, positions)| TokenEvent::BondMove {
                kind,
                operator,
                from,
                to,
                positions
            }),
        (amount(), amount(), any::<bool>(), ".{0,20}").prop_map(|(class_id, nonce_id, defaulted, reason)| {
            TokenEvent::BondStatus { class_id, nonce_id, defaulted, reason }
        }),
        (address(), address(), amount(), amount())
            .prop_map(|(sender, owner, assets, shares)| { TokenEvent::VaultDeposit { sender, owner, assets, shares } }),
        (address(), address(), address(), amount(), amount()).prop_map(|(sender, receiver, owner, assets, shares)| {
            TokenEvent::VaultWithdraw { sender, receiver, owner, assets, shares }
        }),
        (any::<bool>(), address(), address(), amount(), address(), amount()).prop_map(
            |(redeem, controller, owner, request_id, sender, amount)| TokenEvent::VaultRequest {
                redeem,
                controller,
                owner,
                request_id,
                sender,
                amount
            }
        ),
        (
            prop_oneof![Just(PoolAssetAction::Added), Just(PoolAssetAction::Removed), Just(PoolAssetAction::Revalued)],
            address(),
            amount(),
            amount()
        )
            .prop_map(|(action, asset, amount, value)| TokenEvent::PoolAsset { action, asset, amount, value }),
        (address(), address(), prop::option::of(hash()), any::<bool>()).prop_map(
            |(operator, holder, partition, authorized)| TokenEvent::OperatorChanged {
                operator,
                holder,
                partition,
                authorized
            }
        ),
    ]
}

fn record() -> impl Strategy<Value = LogRecord> {
    prop_oneof![
        (meta(), token_event()).prop_map(|(meta, event)| LogRecord::Event(ChainEvent { meta, event })),
        (any::<u64>(), address(), ".{0,20}", ".{0,8}", any::<u8>(), any::<u64>()).prop_map(
            |(c, address, name, symbol, decimals, b)| LogRecord::TokenDiscovered(TokenDiscovered {
                chain_id: ChainId(c),
                address,
                name,
                symbol,
                decimals,
                block: BlockNumber(b),
            })
        ),
        (meta(), prop::collection::vec(hash(), 0..4), prop::collection::vec(any::<u8>(), 0..100), ".{0,40}").prop_map(
            |(meta, topics, data, reason)| LogRecord::Undecoded(UndecodedLog {
                meta,
                topics,
                data: Bytes::from(data),
                reason,
            })
        ),
        (any::<u64>(), any::<u64>(), hash(), any::<u64>(), any::<u64>()).prop_map(|(c, b, h, head, fin)| {
            LogRecord::Committed(BlocksCommitted {
                chain_id: ChainId(c),
                block: BlockNumber(b),
                block_hash: h,
                head: BlockNumber(head),
                finalized: BlockNumber(fin),
            })
        }),
        (any::<u64>(), any::<u64>(), hash(), any::<u64>()).prop_map(|(c, a, h, t)| LogRecord::Reverted(Reverted {
            chain_id: ChainId(c),
            common_ancestor: BlockNumber(a),
            common_ancestor_hash: h,
            abandoned_tip: BlockNumber(t),
        })),
    ]
}

proptest! {
    #[test]
    fn every_record_round_trips(r in record()) {
        prop_assert_eq!(LogRecord::decode(&r.encode()).unwrap(), r);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = LogRecord::decode(&bytes);
    }
}

#[test]
fn wrong_lengths_are_errors_not_panics() {
    use prost::Message;
    use registrar_schemas::proto;
    let bad = proto::LogRecord {
        record: Some(proto::log_record::Record::Committed(proto::BlocksCommitted {
            chain_id: 1,
            block_number: 2,
            block_hash: vec![1, 2, 3],
            head: 2,
            finalized: 1,
        })),
    };
    let err = LogRecord::decode(&bad.encode_to_vec()).unwrap_err();
    assert_eq!(err.to_string(), "field committed.block_hash has 3 bytes, expected 32");
    let empty = LogRecord::decode(&[]).unwrap_err();
    assert_eq!(empty.to_string(), "field record is missing");
}

/// `protoc --decode` reads the Rust encoding with nothing but the schema file, so the file is a
/// true description of the log for non-Rust consumers.
#[test]
fn protoc_decodes_the_rust_encoding_with_the_schema_file() {
    let record = LogRecord::Event(ChainEvent {
        meta: EventMeta {
            chain_id: ChainId(31337),
            block: BlockRef {
                number: BlockNumber(74),
                hash: B256::repeat_byte(0xab),
                parent_hash: B256::repeat_byte(0xcd),
                timestamp: 1_700_000_000,
            },
            tx_hash: B256::repeat_byte(0x11),
            tx_index: 3,
            log_index: 7,
            contract: Address::repeat_byte(0x22),
        },
        event: TokenEvent::Transfer {
            from: Address::ZERO,
            to: Address::repeat_byte(0x33),
            value: U256::from(1_000_000u64),
        },
    });
    let manifest = env!("CARGO_MANIFEST_DIR");
    let mut child = Command::new("protoc")
        .args(["--proto_path", &format!("{manifest}/proto"), "--decode", "registrar.v1.LogRecord"])
        .arg("registrar/v1/log.proto")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("protoc is installed by `make setup`");
    child.stdin.take().unwrap().write_all(&record.encode()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "protoc failed: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("chain_id: 31337"), "{text}");
    assert!(text.contains("block_number: 74"), "{text}");
    assert!(text.contains("tx_index: 3"), "{text}");
    assert!(text.contains("log_index: 7"), "{text}");
    assert!(text.contains("transfer {"), "{text}");
    // 1_000_000 = 0x0f4240, the last three of 32 big-endian bytes.
    assert!(text.contains(r#"value: "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\017B@""#), "{text}");
}
