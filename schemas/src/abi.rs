//! Solidity bindings of the events registrar decodes and the views it reads.
//!
//! Signatures follow the deployed code: ERC-20 `Transfer` and T-REX v4's `IToken` events, whose
//! `indexed` markers are part of the ABI a decoder must match.

use alloy::sol;

sol! {
    /// ERC-20.
    #[derive(Debug, PartialEq, Eq)]
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// ERC-3643 (T-REX `IToken`).
    #[derive(Debug, PartialEq, Eq)]
    event TokensFrozen(address indexed _userAddress, uint256 _amount);
    #[derive(Debug, PartialEq, Eq)]
    event TokensUnfrozen(address indexed _userAddress, uint256 _amount);
    #[derive(Debug, PartialEq, Eq)]
    event AddressFrozen(address indexed _userAddress, bool indexed _isFrozen, address indexed _owner);
    #[derive(Debug, PartialEq, Eq)]
    event Paused(address _userAddress);
    #[derive(Debug, PartialEq, Eq)]
    event Unpaused(address _userAddress);
    #[derive(Debug, PartialEq, Eq)]
    event RecoverySuccess(address indexed _lostWallet, address indexed _newWallet, address indexed _investorOnchainID);

    /// ERC-1643 (document management, part of the ERC-1400 family).
    #[derive(Debug, PartialEq, Eq)]
    event DocumentUpdated(bytes32 indexed _name, string _uri, bytes32 _documentHash);
    #[derive(Debug, PartialEq, Eq)]
    event DocumentRemoved(bytes32 indexed _name, string _uri, bytes32 _documentHash);
    /// ERC-1400's own document event, emitted by implementations that predate ERC-1643.
    #[derive(Debug, PartialEq, Eq)]
    event Document(bytes32 indexed _name, string _uri, bytes32 _documentHash);

    /// registrar's `DisclosureAnchor` contract (`contracts/src/DisclosureAnchor.sol`).
    #[derive(Debug, PartialEq, Eq)]
    event RootAnchored(uint256 indexed sequence, uint64 indexed treeSize, bytes32 root);
}

sol! {
    /// The views and the one write of `DisclosureAnchor`.
    #[sol(rpc)]
    interface IDisclosureAnchor {
        function owner() external view returns (address);
        function latestSize() external view returns (uint64);
        function latestRoot() external view returns (bytes32);
        function anchorCount() external view returns (uint256);
        function rootAt(uint64 treeSize) external view returns (bytes32);
        function anchor(uint64 treeSize, bytes32 root) external;
    }
}

sol! {
    /// The metadata views of ERC-20, read when a contract is first seen.
    #[sol(rpc)]
    interface IERC20Metadata {
        function name() external view returns (string);
        function symbol() external view returns (string);
        function decimals() external view returns (uint8);
        function totalSupply() external view returns (uint256);
        function balanceOf(address owner) external view returns (uint256);
    }

    /// The holder-state views of ERC-3643, read by tests to compare the index with the chain.
    #[sol(rpc)]
    interface IERC3643State {
        function isFrozen(address userAddress) external view returns (bool);
        function getFrozenTokens(address userAddress) external view returns (uint256);
        function paused() external view returns (bool);
    }
}
