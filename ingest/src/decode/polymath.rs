//! Polymath ST-20 (polymath-core v1.x-v2.x): the token's issuance, burns, the controller's
//! forced moves, freezes, checkpoints and modules, and the general transfer manager's whitelist
//! in its four forms (`registrar_schemas::abi::st20`, `st20_v1`, `st20_v21`).

use alloy::{
    primitives::{Address, B256, U256},
    sol_types::SolEvent,
};
use registrar_schemas::{
    abi::{st20, st20_v1, st20_v21},
    AdminAction, MoveKind, TokenEvent, WhitelistEntry,
};

use super::{admin, movement_for, word, Decoder};

/// The ST-20 signatures.
pub(super) static DECODERS: &[Decoder] = &[
    // Polymath ST-20 v1-v2: the token.
    decoder!(st20::Minted, |e| movement_for(
        MoveKind::Minted,
        Address::ZERO,
        Address::ZERO,
        e._to,
        e._value,
        String::new()
    )),
    decoder!(st20_v1::Mint, |e| movement_for(
        MoveKind::Minted,
        Address::ZERO,
        Address::ZERO,
        e.to,
        e.amount,
        String::new()
    )),
    decoder!(st20::Burnt, |e| movement_for(
        MoveKind::Burnt,
        Address::ZERO,
        e._from,
        Address::ZERO,
        e._value,
        String::new()
    )),
    decoder!(st20::ForceTransfer, |e| movement_for(
        MoveKind::ForceTransfer,
        e._controller,
        e._from,
        e._to,
        e._value,
        String::new()
    )),
    decoder!(st20::ForceBurn, |e| movement_for(
        MoveKind::ForceBurn,
        e._controller,
        e._from,
        Address::ZERO,
        e._value,
        String::new()
    )),
    decoder!(st20::SetController, |e| admin(
        AdminAction::ControllerSet,
        e._newController,
        vec![word(e._oldController)]
    )),
    decoder!(st20::DisableController, |e| admin(AdminAction::ControllerDisabled, Address::ZERO, vec![e._timestamp])),
    decoder!(st20::FreezeTransfers, |e| TokenEvent::TransfersFrozen { frozen: e._status }),
    decoder!(st20_v1::LogFreezeTransfers, |e| TokenEvent::TransfersFrozen { frozen: e._freeze }),
    decoder!(st20::CheckpointCreated, |e| TokenEvent::CheckpointCreated {
        id: e._checkpointId,
        timestamp: e._timestamp
    }),
    decoder!(st20_v1::LogCheckpointCreated, |e| TokenEvent::CheckpointCreated {
        id: e._checkpointId,
        timestamp: e._timestamp
    }),
    decoder!(st20::ModuleAdded, |e| admin(
        AdminAction::St20ModuleAdded,
        e._module,
        module_types(Some(e._name), e._types)
    )),
    decoder!(st20_v1::LogModuleAdded, |e| admin(
        AdminAction::St20ModuleAdded,
        e._module,
        module_types(Some(e._name), [e._type])
    )),
    decoder!(st20::ModuleRemoved, |e| admin(AdminAction::St20ModuleRemoved, e._module, module_types(None, e._types))),
    decoder!(st20_v1::LogModuleRemoved, |e| admin(
        AdminAction::St20ModuleRemoved,
        e._module,
        module_types(None, [e._type])
    )),
    decoder!(st20::ModuleArchived, |e| admin(AdminAction::St20ModuleArchived, e._module, module_types(None, e._types))),
    decoder!(st20::ModuleUnarchived, |e| admin(
        AdminAction::St20ModuleUnarchived,
        e._module,
        module_types(None, e._types)
    )),
    // The general transfer manager's whitelist, in its four forms.
    decoder!(st20::ModifyWhitelist, |e| whitelist(
        e._investor,
        e._dateAdded,
        e._addedBy,
        (e._fromTime, e._toTime, e._expiryTime),
        e._canBuyFromSTO
    )),
    decoder!(st20_v21::ModifyWhitelist, |e| whitelist(
        e._investor,
        e._dateAdded,
        e._addedBy,
        (e._canSendAfter, e._canReceiveAfter, e._expiryTime),
        e._canBuyFromSTO
    )),
    decoder!(st20_v1::v14::LogModifyWhitelist, |e| whitelist(
        e._investor,
        e._dateAdded,
        e._addedBy,
        (e._fromTime, e._toTime, e._expiryTime),
        e._canBuyFromSTO
    )),
    decoder!(st20_v1::LogModifyWhitelist, |e| whitelist(
        e._investor,
        e._dateAdded,
        e._addedBy,
        (e._fromTime, e._toTime, U256::ZERO),
        false
    )),
];

pub(super) fn whitelist(
    investor: Address,
    added_at: U256,
    added_by: Address,
    (can_send_after, can_receive_after, expiry): (U256, U256, U256),
    can_buy: bool,
) -> TokenEvent {
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

pub(super) fn module_types(name: Option<B256>, types: impl IntoIterator<Item = u8>) -> Vec<U256> {
    name.map(|n| U256::from_be_bytes(n.0)).into_iter().chain(types.into_iter().map(U256::from)).collect()
}
