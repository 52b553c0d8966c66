//! Token events to and from their Protobuf messages, one arm per [`TokenEvent`] variant.

use super::*;
use crate::{
    AdminAction, BondAmount, BondMoveKind, DistributionKind, DocumentAction, IdentityAction, InvestorAction,
    InvestorChange, LockChange, Move, MoveKind, PoolAssetAction, RuleForm, TokenEvent, WhitelistEntry,
};

impl From<&TokenEvent> for Kind {
    fn from(e: &TokenEvent) -> Self {
        match e {
            TokenEvent::Transfer { from, to, value } => {
                Kind::Transfer(proto::Transfer { from: from.to_vec(), to: to.to_vec(), value: amount_bytes(value) })
            }
            TokenEvent::TokensFrozen { holder, amount } => {
                Kind::TokensFrozen(proto::TokensFrozen { holder: holder.to_vec(), amount: amount_bytes(amount) })
            }
            TokenEvent::TokensUnfrozen { holder, amount } => {
                Kind::TokensUnfrozen(proto::TokensUnfrozen { holder: holder.to_vec(), amount: amount_bytes(amount) })
            }
            TokenEvent::AddressFrozen { holder, frozen, agent } => Kind::AddressFrozen(proto::AddressFrozen {
                holder: holder.to_vec(),
                frozen: *frozen,
                agent: agent.to_vec(),
            }),
            TokenEvent::Paused { agent } => Kind::Paused(proto::Paused { agent: agent.to_vec() }),
            TokenEvent::Unpaused { agent } => Kind::Unpaused(proto::Unpaused { agent: agent.to_vec() }),
            TokenEvent::RecoverySuccess { lost_wallet, new_wallet, investor_onchain_id } => {
                Kind::RecoverySuccess(proto::RecoverySuccess {
                    lost_wallet: lost_wallet.to_vec(),
                    new_wallet: new_wallet.to_vec(),
                    investor_onchain_id: investor_onchain_id.to_vec(),
                })
            }
            TokenEvent::Document { action, name, uri, document_hash } => Kind::Document(proto::Document {
                action: match action {
                    DocumentAction::Updated => proto::document::Action::Updated,
                    DocumentAction::Removed => proto::document::Action::Removed,
                    DocumentAction::Set => proto::document::Action::Set,
                } as i32,
                name: name.to_vec(),
                uri: uri.clone(),
                document_hash: document_hash.to_vec(),
            }),
            TokenEvent::RootAnchored { sequence, tree_size, root } => Kind::RootAnchored(proto::RootAnchored {
                sequence: *sequence,
                tree_size: *tree_size,
                root: root.to_vec(),
            }),
            TokenEvent::Move(m) => Kind::Move(proto::Move {
                kind: move_kind(m.kind) as i32,
                partition: m.partition.map(|p| p.to_vec()).unwrap_or_default(),
                operator: m.operator.to_vec(),
                from: m.from.to_vec(),
                to: m.to.to_vec(),
                value: amount_bytes(&m.value),
                moves_balance: m.moves_balance,
                reason: m.reason.clone(),
            }),
            TokenEvent::ChangedPartition { holder, from_partition, to_partition, value } => {
                Kind::ChangedPartition(proto::ChangedPartition {
                    holder: holder.to_vec(),
                    from_partition: from_partition.to_vec(),
                    to_partition: to_partition.to_vec(),
                    value: amount_bytes(value),
                })
            }
            TokenEvent::OperatorChanged { operator, holder, partition, authorized } => {
                Kind::OperatorChanged(proto::OperatorChanged {
                    operator: operator.to_vec(),
                    holder: holder.to_vec(),
                    partition: partition.map(|p| p.to_vec()).unwrap_or_default(),
                    authorized: *authorized,
                })
            }
            TokenEvent::Admin { action, subject, values } => Kind::Admin(proto::Admin {
                action: *action as u32,
                subject: subject.to_vec(),
                values: values.iter().map(amount_bytes).collect(),
            }),
            TokenEvent::Identity { action, investor, identity, previous, country } => Kind::Identity(proto::Identity {
                action: *action as u32,
                investor: investor.to_vec(),
                identity: identity.to_vec(),
                previous: previous.to_vec(),
                country: (*country).into(),
            }),
            TokenEvent::TokenInformation { name, symbol, decimals, version, onchain_id } => {
                Kind::TokenInformation(proto::TokenInformation {
                    name: name.clone(),
                    symbol: symbol.clone(),
                    decimals: (*decimals).into(),
                    version: version.clone(),
                    onchain_id: onchain_id.to_vec(),
                })
            }
            TokenEvent::VaultDeposit { sender, owner, assets, shares } => Kind::VaultDeposit(proto::VaultDeposit {
                sender: sender.to_vec(),
                owner: owner.to_vec(),
                assets: amount_bytes(assets),
                shares: amount_bytes(shares),
            }),
            TokenEvent::VaultWithdraw { sender, receiver, owner, assets, shares } => {
                Kind::VaultWithdraw(proto::VaultWithdraw {
                    sender: sender.to_vec(),
                    receiver: receiver.to_vec(),
                    owner: owner.to_vec(),
                    assets: amount_bytes(assets),
                    shares: amount_bytes(shares),
                })
            }
            TokenEvent::VaultRequest { redeem, controller, owner, request_id, sender, amount } => {
                Kind::VaultRequest(proto::VaultRequest {
                    redeem: *redeem,
                    controller: controller.to_vec(),
                    owner: owner.to_vec(),
                    request_id: amount_bytes(request_id),
                    sender: sender.to_vec(),
                    amount: amount_bytes(amount),
                })
            }
            TokenEvent::PoolAsset { action, asset, amount, value } => Kind::PoolAsset(proto::PoolAsset {
                action: *action as u32,
                asset: asset.to_vec(),
                amount: amount_bytes(amount),
                value: amount_bytes(value),
            }),
            TokenEvent::DelegateChanged { delegator, from_delegate, to_delegate } => {
                Kind::DelegateChanged(proto::DelegateChanged {
                    delegator: delegator.to_vec(),
                    from_delegate: from_delegate.to_vec(),
                    to_delegate: to_delegate.to_vec(),
                })
            }
            TokenEvent::DelegateVotesChanged { delegate, previous, votes } => {
                Kind::DelegateVotesChanged(proto::DelegateVotesChanged {
                    delegate: delegate.to_vec(),
                    previous: amount_bytes(previous),
                    votes: amount_bytes(votes),
                })
            }
            TokenEvent::VoteCast { voter, proposal_id, support, weight, reason } => Kind::VoteCast(proto::VoteCast {
                voter: voter.to_vec(),
                proposal_id: amount_bytes(proposal_id),
                support: (*support).into(),
                weight: amount_bytes(weight),
                reason: reason.clone(),
            }),
            TokenEvent::Snapshot { id } => Kind::Snapshot(proto::Snapshot { id: amount_bytes(id) }),
            TokenEvent::StockSplit { id, numerator, denominator } => Kind::StockSplit(proto::StockSplit {
                id: amount_bytes(id),
                numerator: amount_bytes(numerator),
                denominator: amount_bytes(denominator),
            }),
            TokenEvent::Buyback { id, seller, amount, price } => Kind::Buyback(proto::Buyback {
                id: amount_bytes(id),
                seller: seller.to_vec(),
                amount: amount_bytes(amount),
                price: amount_bytes(price),
            }),
            TokenEvent::Distribution { kind, account, amount } => Kind::Distribution(proto::Distribution {
                kind: *kind as u32,
                account: account.to_vec(),
                amount: amount_bytes(amount),
            }),
            TokenEvent::BondMove { kind, operator, from, to, positions } => Kind::BondMove(proto::BondMove {
                kind: *kind as u32,
                operator: operator.to_vec(),
                from: from.to_vec(),
                to: to.to_vec(),
                positions: positions
                    .iter()
                    .map(|p| proto::bond_move::Position {
                        class_id: amount_bytes(&p.class_id),
                        nonce_id: amount_bytes(&p.nonce_id),
                        amount: amount_bytes(&p.amount),
                    })
                    .collect(),
            }),
            TokenEvent::BondStatus { class_id, nonce_id, defaulted, reason } => Kind::BondStatus(proto::BondStatus {
                class_id: amount_bytes(class_id),
                nonce_id: amount_bytes(nonce_id),
                defaulted: *defaulted,
                reason: reason.clone(),
            }),
            TokenEvent::Investor(i) => Kind::Investor(proto::Investor {
                action: i.action as u32,
                id: i.id.clone(),
                wallet: i.wallet.to_vec(),
                country: i.country.clone(),
                attribute: amount_bytes(&i.attribute),
                value: amount_bytes(&i.value),
                expiry: amount_bytes(&i.expiry),
                proof_hash: i.proof_hash.clone(),
                sender: i.sender.to_vec(),
            }),
            TokenEvent::Lock(l) => Kind::Lock(proto::Lock {
                locked: l.locked,
                wallet: l.wallet.to_vec(),
                investor: l.investor.clone(),
                value: amount_bytes(&l.value),
                reason: amount_bytes(&l.reason),
                reason_text: l.reason_text.clone(),
                release_time: amount_bytes(&l.release_time),
                partition: l.partition.map(|p| p.to_vec()).unwrap_or_default(),
                counted: l.counted,
            }),
            TokenEvent::Whitelist(w) => Kind::Whitelist(proto::Whitelist {
                investor: w.investor.to_vec(),
                added_by: w.added_by.to_vec(),
                added_at: amount_bytes(&w.added_at),
                can_send_after: amount_bytes(&w.can_send_after),
                can_receive_after: amount_bytes(&w.can_receive_after),
                expiry: amount_bytes(&w.expiry),
                can_buy: w.can_buy,
            }),
            TokenEvent::ComplianceRule { form, rule, key, previous, value } => {
                Kind::ComplianceRule(proto::ComplianceRule {
                    form: *form as u32,
                    rule: rule.clone(),
                    key: key.clone(),
                    previous: amount_bytes(previous),
                    value: amount_bytes(value),
                })
            }
            TokenEvent::CheckpointCreated { id, timestamp } => Kind::CheckpointCreated(proto::CheckpointCreated {
                id: amount_bytes(id),
                timestamp: amount_bytes(timestamp),
            }),
            TokenEvent::TransfersFrozen { frozen } => Kind::TransfersFrozen(proto::TransfersFrozen { frozen: *frozen }),
            TokenEvent::Approval { owner, spender, value } => Kind::Approval(proto::Approval {
                owner: owner.to_vec(),
                spender: spender.to_vec(),
                value: amount_bytes(value),
            }),
            TokenEvent::SuiteDeployed {
                token,
                identity_registry,
                identity_storage,
                trusted_issuers,
                claim_topics,
                compliance,
            } => Kind::SuiteDeployed(proto::SuiteDeployed {
                token: token.to_vec(),
                identity_registry: identity_registry.to_vec(),
                identity_storage: identity_storage.to_vec(),
                trusted_issuers: trusted_issuers.to_vec(),
                claim_topics: claim_topics.to_vec(),
                compliance: compliance.to_vec(),
            }),
        }
    }
}

impl TryFrom<Kind> for TokenEvent {
    type Error = DecodeError;

    fn try_from(k: Kind) -> Result<Self, DecodeError> {
        Ok(match k {
            Kind::Transfer(t) => TokenEvent::Transfer {
                from: address("transfer.from", &t.from)?,
                to: address("transfer.to", &t.to)?,
                value: amount("transfer.value", &t.value)?,
            },
            Kind::TokensFrozen(t) => TokenEvent::TokensFrozen {
                holder: address("tokens_frozen.holder", &t.holder)?,
                amount: amount("tokens_frozen.amount", &t.amount)?,
            },
            Kind::TokensUnfrozen(t) => TokenEvent::TokensUnfrozen {
                holder: address("tokens_unfrozen.holder", &t.holder)?,
                amount: amount("tokens_unfrozen.amount", &t.amount)?,
            },
            Kind::AddressFrozen(a) => TokenEvent::AddressFrozen {
                holder: address("address_frozen.holder", &a.holder)?,
                frozen: a.frozen,
                agent: address("address_frozen.agent", &a.agent)?,
            },
            Kind::Paused(p) => TokenEvent::Paused { agent: address("paused.agent", &p.agent)? },
            Kind::Unpaused(p) => TokenEvent::Unpaused { agent: address("unpaused.agent", &p.agent)? },
            Kind::RecoverySuccess(r) => TokenEvent::RecoverySuccess {
                lost_wallet: address("recovery_success.lost_wallet", &r.lost_wallet)?,
                new_wallet: address("recovery_success.new_wallet", &r.new_wallet)?,
                investor_onchain_id: address("recovery_success.investor_onchain_id", &r.investor_onchain_id)?,
            },
            Kind::Document(d) => TokenEvent::Document {
                action: match proto::document::Action::try_from(d.action) {
                    Ok(proto::document::Action::Updated) => DocumentAction::Updated,
                    Ok(proto::document::Action::Removed) => DocumentAction::Removed,
                    Ok(proto::document::Action::Set) => DocumentAction::Set,
                    Ok(proto::document::Action::Unspecified) | Err(_) => {
                        return Err(DecodeError::Range { field: "document.action", value: d.action as u64 })
                    }
                },
                name: hash("document.name", &d.name)?,
                uri: d.uri,
                document_hash: hash("document.document_hash", &d.document_hash)?,
            },
            Kind::RootAnchored(a) => TokenEvent::RootAnchored {
                sequence: a.sequence,
                tree_size: a.tree_size,
                root: hash("root_anchored.root", &a.root)?,
            },
            Kind::Move(m) => TokenEvent::Move(Move {
                kind: MoveKind::ALL
                    .into_iter()
                    .find(|k| move_kind(*k) as i32 == m.kind)
                    .ok_or(DecodeError::Range { field: "move.kind", value: m.kind as u64 })?,
                partition: optional_hash("move.partition", &m.partition)?,
                operator: address("move.operator", &m.operator)?,
                from: address("move.from", &m.from)?,
                to: address("move.to", &m.to)?,
                value: amount("move.value", &m.value)?,
                reason: m.reason,
                moves_balance: m.moves_balance,
            }),
            Kind::ChangedPartition(c) => TokenEvent::ChangedPartition {
                holder: address("changed_partition.holder", &c.holder)?,
                from_partition: hash("changed_partition.from_partition", &c.from_partition)?,
                to_partition: hash("changed_partition.to_partition", &c.to_partition)?,
                value: amount("changed_partition.value", &c.value)?,
            },
            Kind::OperatorChanged(o) => TokenEvent::OperatorChanged {
                operator: address("operator_changed.operator", &o.operator)?,
                holder: address("operator_changed.holder", &o.holder)?,
                partition: optional_hash("operator_changed.partition", &o.partition)?,
                authorized: o.authorized,
            },
            Kind::Admin(a) => TokenEvent::Admin {
                action: u8::try_from(a.action)
                    .ok()
                    .and_then(AdminAction::from_u8)
                    .ok_or(DecodeError::Range { field: "admin.action", value: a.action.into() })?,
                subject: address("admin.subject", &a.subject)?,
                values: a.values.iter().map(|v| amount("admin.values", v)).collect::<Result<_, _>>()?,
            },
            Kind::Identity(i) => TokenEvent::Identity {
                action: u8::try_from(i.action)
                    .ok()
                    .and_then(IdentityAction::from_u8)
                    .ok_or(DecodeError::Range { field: "identity.action", value: i.action.into() })?,
                investor: address("identity.investor", &i.investor)?,
                identity: address("identity.identity", &i.identity)?,
                previous: address("identity.previous", &i.previous)?,
                country: u16::try_from(i.country)
                    .map_err(|_| DecodeError::Range { field: "identity.country", value: i.country.into() })?,
            },
            Kind::TokenInformation(t) => TokenEvent::TokenInformation {
                name: t.name,
                symbol: t.symbol,
                decimals: u32_field("token_information.decimals", t.decimals)?,
                version: t.version,
                onchain_id: address("token_information.onchain_id", &t.onchain_id)?,
            },
            Kind::VaultDeposit(d) => TokenEvent::VaultDeposit {
                sender: address("vault_deposit.sender", &d.sender)?,
                owner: address("vault_deposit.owner", &d.owner)?,
                assets: amount("vault_deposit.assets", &d.assets)?,
                shares: amount("vault_deposit.shares", &d.shares)?,
            },
            Kind::VaultWithdraw(w) => TokenEvent::VaultWithdraw {
                sender: address("vault_withdraw.sender", &w.sender)?,
                receiver: address("vault_withdraw.receiver", &w.receiver)?,
                owner: address("vault_withdraw.owner", &w.owner)?,
                assets: amount("vault_withdraw.assets", &w.assets)?,
                shares: amount("vault_withdraw.shares", &w.shares)?,
            },
            Kind::VaultRequest(r) => TokenEvent::VaultRequest {
                redeem: r.redeem,
                controller: address("vault_request.controller", &r.controller)?,
                owner: address("vault_request.owner", &r.owner)?,
                request_id: amount("vault_request.request_id", &r.request_id)?,
                sender: address("vault_request.sender", &r.sender)?,
                amount: amount("vault_request.amount", &r.amount)?,
            },
            Kind::PoolAsset(p) => TokenEvent::PoolAsset {
                action: u8::try_from(p.action)
                    .ok()
                    .and_then(PoolAssetAction::from_u8)
                    .ok_or(DecodeError::Range { field: "pool_asset.action", value: p.action.into() })?,
                asset: address("pool_asset.asset", &p.asset)?,
                amount: amount("pool_asset.amount", &p.amount)?,
                value: amount("pool_asset.value", &p.value)?,
            },
            Kind::DelegateChanged(d) => TokenEvent::DelegateChanged {
                delegator: address("delegate_changed.delegator", &d.delegator)?,
                from_delegate: address("delegate_changed.from_delegate", &d.from_delegate)?,
                to_delegate: address("delegate_changed.to_delegate", &d.to_delegate)?,
            },
            Kind::DelegateVotesChanged(d) => TokenEvent::DelegateVotesChanged {
                delegate: address("delegate_votes_changed.delegate", &d.delegate)?,
                previous: amount("delegate_votes_changed.previous", &d.previous)?,
                votes: amount("delegate_votes_changed.votes", &d.votes)?,
            },
            Kind::VoteCast(v) => TokenEvent::VoteCast {
                voter: address("vote_cast.voter", &v.voter)?,
                proposal_id: amount("vote_cast.proposal_id", &v.proposal_id)?,
                support: u32_field("vote_cast.support", v.support)?,
                weight: amount("vote_cast.weight", &v.weight)?,
                reason: v.reason,
            },
            Kind::Snapshot(s) => TokenEvent::Snapshot { id: amount("snapshot.id", &s.id)? },
            Kind::StockSplit(s) => TokenEvent::StockSplit {
                id: amount("stock_split.id", &s.id)?,
                numerator: amount("stock_split.numerator", &s.numerator)?,
                denominator: amount("stock_split.denominator", &s.denominator)?,
            },
            Kind::Buyback(b) => TokenEvent::Buyback {
                id: amount("buyback.id", &b.id)?,
                seller: address("buyback.seller", &b.seller)?,
                amount: amount("buyback.amount", &b.amount)?,
                price: amount("buyback.price", &b.price)?,
            },
            Kind::Distribution(d) => TokenEvent::Distribution {
                kind: u8::try_from(d.kind)
                    .ok()
                    .and_then(DistributionKind::from_u8)
                    .ok_or(DecodeError::Range { field: "distribution.kind", value: d.kind.into() })?,
                account: address("distribution.account", &d.account)?,
                amount: amount("distribution.amount", &d.amount)?,
            },
            Kind::BondMove(m) => TokenEvent::BondMove {
                kind: match m.kind {
                    1 => BondMoveKind::Issue,
                    2 => BondMoveKind::Transfer,
                    3 => BondMoveKind::Redeem,
                    other => return Err(DecodeError::Range { field: "bond_move.kind", value: other.into() }),
                },
                operator: address("bond_move.operator", &m.operator)?,
                from: address("bond_move.from", &m.from)?,
                to: address("bond_move.to", &m.to)?,
                positions: m
                    .positions
                    .iter()
                    .map(|p| {
                        Ok(BondAmount {
                            class_id: amount("bond_move.positions.class_id", &p.class_id)?,
                            nonce_id: amount("bond_move.positions.nonce_id", &p.nonce_id)?,
                            amount: amount("bond_move.positions.amount", &p.amount)?,
                        })
                    })
                    .collect::<Result<_, DecodeError>>()?,
            },
            Kind::BondStatus(b) => TokenEvent::BondStatus {
                class_id: amount("bond_status.class_id", &b.class_id)?,
                nonce_id: amount("bond_status.nonce_id", &b.nonce_id)?,
                defaulted: b.defaulted,
                reason: b.reason,
            },
            Kind::Investor(i) => TokenEvent::Investor(InvestorChange {
                action: u8::try_from(i.action)
                    .ok()
                    .and_then(InvestorAction::from_u8)
                    .ok_or(DecodeError::Range { field: "investor.action", value: i.action.into() })?,
                id: i.id,
                wallet: address("investor.wallet", &i.wallet)?,
                country: i.country,
                attribute: amount("investor.attribute", &i.attribute)?,
                value: amount("investor.value", &i.value)?,
                expiry: amount("investor.expiry", &i.expiry)?,
                proof_hash: i.proof_hash,
                sender: address("investor.sender", &i.sender)?,
            }),
            Kind::Lock(l) => TokenEvent::Lock(LockChange {
                locked: l.locked,
                wallet: address("lock.wallet", &l.wallet)?,
                investor: l.investor,
                value: amount("lock.value", &l.value)?,
                reason: amount("lock.reason", &l.reason)?,
                reason_text: l.reason_text,
                release_time: amount("lock.release_time", &l.release_time)?,
                partition: optional_hash("lock.partition", &l.partition)?,
                counted: l.counted,
            }),
            Kind::Whitelist(w) => TokenEvent::Whitelist(WhitelistEntry {
                investor: address("whitelist.investor", &w.investor)?,
                added_by: address("whitelist.added_by", &w.added_by)?,
                added_at: amount("whitelist.added_at", &w.added_at)?,
                can_send_after: amount("whitelist.can_send_after", &w.can_send_after)?,
                can_receive_after: amount("whitelist.can_receive_after", &w.can_receive_after)?,
                expiry: amount("whitelist.expiry", &w.expiry)?,
                can_buy: w.can_buy,
            }),
            Kind::ComplianceRule(r) => TokenEvent::ComplianceRule {
                form: u8::try_from(r.form)
                    .ok()
                    .and_then(RuleForm::from_u8)
                    .ok_or(DecodeError::Range { field: "compliance_rule.form", value: r.form.into() })?,
                rule: r.rule,
                key: r.key,
                previous: amount("compliance_rule.previous", &r.previous)?,
                value: amount("compliance_rule.value", &r.value)?,
            },
            Kind::CheckpointCreated(c) => TokenEvent::CheckpointCreated {
                id: amount("checkpoint_created.id", &c.id)?,
                timestamp: amount("checkpoint_created.timestamp", &c.timestamp)?,
            },
            Kind::TransfersFrozen(f) => TokenEvent::TransfersFrozen { frozen: f.frozen },
            Kind::Approval(a) => TokenEvent::Approval {
                owner: address("approval.owner", &a.owner)?,
                spender: address("approval.spender", &a.spender)?,
                value: amount("approval.value", &a.value)?,
            },
            Kind::SuiteDeployed(d) => TokenEvent::SuiteDeployed {
                token: address("suite_deployed.token", &d.token)?,
                identity_registry: address("suite_deployed.identity_registry", &d.identity_registry)?,
                identity_storage: address("suite_deployed.identity_storage", &d.identity_storage)?,
                trusted_issuers: address("suite_deployed.trusted_issuers", &d.trusted_issuers)?,
                claim_topics: address("suite_deployed.claim_topics", &d.claim_topics)?,
                compliance: address("suite_deployed.compliance", &d.compliance)?,
            },
        })
    }
}
