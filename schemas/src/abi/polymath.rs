//! Polymath ST-20 (github.com/PolymathNetwork/polymath-core, v1.x-v2.x; v3 speaks the ERC-1400
//! family): the security token (`ISecurityToken`/`SecurityToken`) and its general transfer
//! manager's whitelist (`GeneralTransferManager`). [`st20`] has the v2.0 forms, [`st20_v1`] the
//! `Log`-prefixed forms of v1.x, [`st20_v21`] the v2.1 whitelist event, which indexes the
//! investor and the agent (one topic with v2.0's, two layouts).

pub mod st20 {
    use alloy::sol;

    sol! {
        /// Issuance and redemption; each comes with the ERC-20 `Transfer` that moves the balance.
        #[derive(Debug, PartialEq, Eq)]
        event Minted(address indexed _to, uint256 _value);
        #[derive(Debug, PartialEq, Eq)]
        event Burnt(address indexed _from, uint256 _value);
        /// The controller's forced transfer and burn (v2).
        #[derive(Debug, PartialEq, Eq)]
        event ForceTransfer(address indexed _controller, address indexed _from, address indexed _to, uint256 _value, bool _verifyTransfer, bytes _data);
        #[derive(Debug, PartialEq, Eq)]
        event ForceBurn(address indexed _controller, address indexed _from, uint256 _value, bool _verifyTransfer, bytes _data);
        #[derive(Debug, PartialEq, Eq)]
        event SetController(address indexed _oldController, address indexed _newController);
        #[derive(Debug, PartialEq, Eq)]
        event DisableController(uint256 _timestamp);
        /// All transfers frozen (`_status` true) or thawed.
        #[derive(Debug, PartialEq, Eq)]
        event FreezeTransfers(bool _status, uint256 _timestamp);
        /// A checkpoint (record date): `balanceOfAt(_, id)` answers the balances at it.
        #[derive(Debug, PartialEq, Eq)]
        event CheckpointCreated(uint256 indexed _checkpointId, uint256 _timestamp);
        /// Modules (2: transfer managers, whose whitelists ingest follows).
        #[derive(Debug, PartialEq, Eq)]
        event ModuleAdded(uint8[] _types, bytes32 _name, address _moduleFactory, address _module, uint256 _moduleCost, uint256 _budget, uint256 _timestamp);
        #[derive(Debug, PartialEq, Eq)]
        event ModuleRemoved(uint8[] _types, address _module, uint256 _timestamp);
        #[derive(Debug, PartialEq, Eq)]
        event ModuleArchived(uint8[] _types, address _module, uint256 _timestamp);
        #[derive(Debug, PartialEq, Eq)]
        event ModuleUnarchived(uint8[] _types, address _module, uint256 _timestamp);
        /// `GeneralTransferManager` v1.4-v2.0: an investor may send from `_fromTime`, receive
        /// from `_toTime`, until `_expiryTime` (KYC expiry), and buy in the offering or not.
        #[derive(Debug, PartialEq, Eq)]
        event ModifyWhitelist(address _investor, uint256 _dateAdded, address _addedBy, uint256 _fromTime, uint256 _toTime, uint256 _expiryTime, bool _canBuyFromSTO);
    }

    sol! {
        /// The views ingest follows a token's transfer managers by, and tests compare the index
        /// with.
        #[sol(rpc)]
        interface IST20Views {
            function getModulesByType(uint8 moduleType) external view returns (address[] memory);
            function currentCheckpointId() external view returns (uint256);
            function balanceOfAt(address investor, uint256 checkpointId) external view returns (uint256);
            function totalSupplyAt(uint256 checkpointId) external view returns (uint256);
            function transfersFrozen() external view returns (bool);
            function whitelist(address investor) external view returns (uint256 fromTime, uint256 toTime, uint256 expiryTime, bool canBuyFromSTO);
        }
    }
}

/// The v1.x forms.
pub mod st20_v1 {
    use alloy::sol;

    sol! {
        #[derive(Debug, PartialEq, Eq)]
        event LogFreezeTransfers(bool _freeze, uint256 _timestamp);
        #[derive(Debug, PartialEq, Eq)]
        event LogCheckpointCreated(uint256 indexed _checkpointId, uint256 _timestamp);
        #[derive(Debug, PartialEq, Eq)]
        event LogModuleAdded(uint8 indexed _type, bytes32 _name, address _moduleFactory, address _module, uint256 _moduleCost, uint256 _budget, uint256 _timestamp);
        #[derive(Debug, PartialEq, Eq)]
        event LogModuleRemoved(uint8 indexed _type, address _module, uint256 _timestamp);
        /// v1.0-v1.3, before expiry and the offering permission.
        #[derive(Debug, PartialEq, Eq)]
        event LogModifyWhitelist(address _investor, uint256 _dateAdded, address _addedBy, uint256 _fromTime, uint256 _toTime);
        /// OpenZeppelin `MintableToken` (v1.0).
        #[derive(Debug, PartialEq, Eq)]
        event Mint(address indexed to, uint256 amount);
    }

    pub mod v14 {
        use alloy::sol;

        sol! {
            /// v1.4-v1.5.
            #[derive(Debug, PartialEq, Eq)]
            event LogModifyWhitelist(address _investor, uint256 _dateAdded, address _addedBy, uint256 _fromTime, uint256 _toTime, uint256 _expiryTime, bool _canBuyFromSTO);
        }
    }
}

/// v2.1's whitelist event: the same signature as v2.0's, investor and agent indexed.
pub mod st20_v21 {
    use alloy::sol;

    sol! {
        #[derive(Debug, PartialEq, Eq)]
        event ModifyWhitelist(address indexed _investor, uint256 _dateAdded, address indexed _addedBy, uint256 _canSendAfter, uint256 _canReceiveAfter, uint256 _expiryTime, bool _canBuyFromSTO);
    }
}
