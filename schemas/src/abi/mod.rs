//! Solidity bindings of the events registrar decodes and the views it reads.
//!
//! Signatures follow the deployed code: ERC-20 `Transfer` and T-REX v4's `IToken` events, whose
//! `indexed` markers are part of the ABI a decoder must match.

use alloy::sol;

sol! {
    /// ERC-20.
    #[derive(Debug, PartialEq, Eq)]
    event Transfer(address indexed from, address indexed to, uint256 value);
    #[derive(Debug, PartialEq, Eq)]
    event Approval(address indexed owner, address indexed spender, uint256 value);

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

/// The ERC-1400 family: ERC-1410 partitions, ERC-1594 issuance and redemption, ERC-1644 controller
/// operations. The drafts were never finalised and deployed code disagrees on some signatures:
/// this module has the forms of the ERC-1400 text and ConsenSys UniversalToken, [`erc1400_variants`]
/// the other forms in use. Each is decoded by its own topic.
pub mod erc1400 {
    use alloy::sol;

    sol! {
        #[derive(Debug, PartialEq, Eq)]
        event TransferByPartition(bytes32 indexed _fromPartition, address _operator, address indexed _from, address indexed _to, uint256 _value, bytes _data, bytes _operatorData);
        #[derive(Debug, PartialEq, Eq)]
        event ChangedPartition(bytes32 indexed _fromPartition, bytes32 indexed _toPartition, uint256 _value);
        #[derive(Debug, PartialEq, Eq)]
        event AuthorizedOperator(address indexed operator, address indexed tokenHolder);
        #[derive(Debug, PartialEq, Eq)]
        event RevokedOperator(address indexed operator, address indexed tokenHolder);
        #[derive(Debug, PartialEq, Eq)]
        event AuthorizedOperatorByPartition(bytes32 indexed partition, address indexed operator, address indexed tokenHolder);
        #[derive(Debug, PartialEq, Eq)]
        event RevokedOperatorByPartition(bytes32 indexed partition, address indexed operator, address indexed tokenHolder);
        /// With operator and operator data: the ERC-1400 text, UniversalToken.
        #[derive(Debug, PartialEq, Eq)]
        event IssuedByPartition(bytes32 indexed partition, address indexed operator, address indexed to, uint256 value, bytes data, bytes operatorData);
        /// With data and operator data: the ERC-1410 text and the reference interfaces.
        #[derive(Debug, PartialEq, Eq)]
        event RedeemedByPartition(bytes32 indexed partition, address indexed operator, address indexed from, uint256 value, bytes data, bytes operatorData);
        #[derive(Debug, PartialEq, Eq)]
        event Issued(address indexed _operator, address indexed _to, uint256 _value, bytes _data);
        #[derive(Debug, PartialEq, Eq)]
        event Redeemed(address indexed _operator, address indexed _from, uint256 _value, bytes _data);
        #[derive(Debug, PartialEq, Eq)]
        event ControllerTransfer(address _controller, address indexed _from, address indexed _to, uint256 _value, bytes _data, bytes _operatorData);
        #[derive(Debug, PartialEq, Eq)]
        event ControllerRedemption(address _controller, address indexed _tokenHolder, uint256 _value, bytes _data, bytes _operatorData);
    }
}

/// The events of a T-REX (ERC-3643) suite besides the token's holder events above: token
/// administration, the identity registry and its storage, modular compliance, the trusted issuers
/// and claim topics registries, the factory. As deployed (T-REX v4): `UpdatedTokenInformation`
/// indexes name and symbol, so the log holds only their keccak hashes.
pub mod trex {
    use alloy::sol;

    sol! {
        #[derive(Debug, PartialEq, Eq)]
        event UpdatedTokenInformation(string indexed _newName, string indexed _newSymbol, uint8 _newDecimals, string _newVersion, address indexed _newOnchainID);
        #[derive(Debug, PartialEq, Eq)]
        event IdentityRegistryAdded(address indexed _identityRegistry);
        #[derive(Debug, PartialEq, Eq)]
        event ComplianceAdded(address indexed _compliance);
        #[derive(Debug, PartialEq, Eq)]
        event AgentAdded(address indexed _agent);
        #[derive(Debug, PartialEq, Eq)]
        event AgentRemoved(address indexed _agent);
        /// OpenZeppelin `Ownable`.
        #[derive(Debug, PartialEq, Eq)]
        event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
        /// OpenZeppelin `Initializable` (v4; v5 widened the version to uint64).
        #[derive(Debug, PartialEq, Eq)]
        event Initialized(uint8 version);
        #[derive(Debug, PartialEq, Eq)]
        event ClaimTopicsRegistrySet(address indexed claimTopicsRegistry);
        #[derive(Debug, PartialEq, Eq)]
        event IdentityStorageSet(address indexed identityStorage);
        #[derive(Debug, PartialEq, Eq)]
        event TrustedIssuersRegistrySet(address indexed trustedIssuersRegistry);
        #[derive(Debug, PartialEq, Eq)]
        event IdentityRegistered(address indexed investorAddress, address indexed identity);
        #[derive(Debug, PartialEq, Eq)]
        event IdentityRemoved(address indexed investorAddress, address indexed identity);
        #[derive(Debug, PartialEq, Eq)]
        event IdentityUpdated(address indexed oldIdentity, address indexed newIdentity);
        #[derive(Debug, PartialEq, Eq)]
        event CountryUpdated(address indexed investorAddress, uint16 indexed country);
        #[derive(Debug, PartialEq, Eq)]
        event IdentityStored(address indexed investorAddress, address indexed identity);
        #[derive(Debug, PartialEq, Eq)]
        event IdentityUnstored(address indexed investorAddress, address indexed identity);
        #[derive(Debug, PartialEq, Eq)]
        event IdentityModified(address indexed oldIdentity, address indexed newIdentity);
        #[derive(Debug, PartialEq, Eq)]
        event CountryModified(address indexed investorAddress, uint16 indexed country);
        #[derive(Debug, PartialEq, Eq)]
        event IdentityRegistryBound(address indexed identityRegistry);
        #[derive(Debug, PartialEq, Eq)]
        event IdentityRegistryUnbound(address indexed identityRegistry);
        #[derive(Debug, PartialEq, Eq)]
        event ModuleInteraction(address indexed target, bytes4 selector);
        #[derive(Debug, PartialEq, Eq)]
        event TokenBound(address _token);
        #[derive(Debug, PartialEq, Eq)]
        event TokenUnbound(address _token);
        #[derive(Debug, PartialEq, Eq)]
        event ModuleAdded(address indexed _module);
        #[derive(Debug, PartialEq, Eq)]
        event ModuleRemoved(address indexed _module);
        #[derive(Debug, PartialEq, Eq)]
        event ClaimTopicAdded(uint256 indexed claimTopic);
        #[derive(Debug, PartialEq, Eq)]
        event ClaimTopicRemoved(uint256 indexed claimTopic);
        #[derive(Debug, PartialEq, Eq)]
        event TrustedIssuerAdded(address indexed trustedIssuer, uint256[] claimTopics);
        #[derive(Debug, PartialEq, Eq)]
        event TrustedIssuerRemoved(address indexed trustedIssuer);
        #[derive(Debug, PartialEq, Eq)]
        event ClaimTopicsUpdated(address indexed trustedIssuer, uint256[] claimTopics);
        #[derive(Debug, PartialEq, Eq)]
        event Deployed(address indexed _addr);
        /// The factory's form; T-REX's proxies index the address (see [`trex_proxy`]).
        #[derive(Debug, PartialEq, Eq)]
        event ImplementationAuthoritySet(address _implementationAuthority);
        #[derive(Debug, PartialEq, Eq)]
        event IdFactorySet(address _idFactory);
        #[derive(Debug, PartialEq, Eq)]
        event TREXSuiteDeployed(address indexed _token, address _ir, address _irs, address _tir, address _ctr, address _mc, string indexed _salt);
    }

    sol! {
        /// The agent calls that replace a wallet's identity: `IdentityUpdated`/`IdentityModified`
        /// name no wallet, these calls do.
        interface ITREXIdentityCalls {
            function updateIdentity(address _userAddress, address _identity) external;
            function modifyStoredIdentity(address _userAddress, address _identity) external;
        }

        /// The agent calls whose `Transfer`s are forced transfers.
        interface ITREXForcedTransfers {
            function forcedTransfer(address _from, address _to, uint256 _amount) external returns (bool);
            function batchForcedTransfer(address[] calldata _fromList, address[] calldata _toList, uint256[] calldata _amounts) external;
        }
    }

    sol! {
        /// The views ingest reads to follow a suite and to read back what events leave out.
        #[sol(rpc)]
        interface ITREXViews {
            function identityRegistry() external view returns (address);
            function compliance() external view returns (address);
            function identityStorage() external view returns (address);
            function issuersRegistry() external view returns (address);
            function topicsRegistry() external view returns (address);
            function investorCountry(address userAddress) external view returns (uint16);
            function identity(address userAddress) external view returns (address);
            function storedInvestorCountry(address userAddress) external view returns (uint16);
            function storedIdentity(address userAddress) external view returns (address);
        }
    }
}

/// Tokenized vaults and collateral pools: ERC-4626, ERC-7540 requests, and the composition events
/// of registrar's demo pool (`contracts/src/DemoCollateralPool.sol`, which documents them).
pub mod vaults {
    use alloy::sol;

    sol! {
        #[derive(Debug, PartialEq, Eq)]
        event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares);
        #[derive(Debug, PartialEq, Eq)]
        event Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares);
        #[derive(Debug, PartialEq, Eq)]
        event DepositRequest(address indexed controller, address indexed owner, uint256 indexed requestId, address sender, uint256 assets);
        #[derive(Debug, PartialEq, Eq)]
        event RedeemRequest(address indexed controller, address indexed owner, uint256 indexed requestId, address sender, uint256 shares);
        #[derive(Debug, PartialEq, Eq)]
        event AssetAdded(address indexed asset, uint256 amount, uint256 value);
        #[derive(Debug, PartialEq, Eq)]
        event AssetRemoved(address indexed asset, uint256 amount, uint256 value);
        #[derive(Debug, PartialEq, Eq)]
        event AssetRevalued(address indexed asset, uint256 value);
    }
}

/// Equity and debt: ERC-5805 votes, OpenZeppelin Governor votes and snapshots, ERC-2222 and
/// ERC-1726 distributions, ERC-3475 bonds, and the corporate-action and bond-status events of
/// registrar's demo contracts (`DemoEquityToken.sol`, `DemoBond.sol` document them).
pub mod capital {
    use alloy::sol;

    sol! {
        #[derive(Debug, PartialEq, Eq)]
        event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate);
        #[derive(Debug, PartialEq, Eq)]
        event DelegateVotesChanged(address indexed delegate, uint256 previousVotes, uint256 newVotes);
        #[derive(Debug, PartialEq, Eq)]
        event VoteCast(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason);
        #[derive(Debug, PartialEq, Eq)]
        event VoteCastWithParams(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason, bytes params);
        #[derive(Debug, PartialEq, Eq)]
        event Snapshot(uint256 id);
        #[derive(Debug, PartialEq, Eq)]
        event StockSplit(uint256 indexed actionId, uint256 numerator, uint256 denominator);
        #[derive(Debug, PartialEq, Eq)]
        event Buyback(uint256 indexed actionId, address indexed seller, uint256 amount, uint256 price);
        #[derive(Debug, PartialEq, Eq)]
        event FundsDistributed(address indexed by, uint256 fundsDistributed);
        #[derive(Debug, PartialEq, Eq)]
        event FundsWithdrawn(address indexed by, uint256 fundsWithdrawn);
        #[derive(Debug, PartialEq, Eq)]
        event DividendsDistributed(address indexed from, uint256 weiAmount);
        #[derive(Debug, PartialEq, Eq)]
        event DividendWithdrawn(address indexed to, uint256 weiAmount);
        #[derive(Debug, PartialEq, Eq)]
        struct Transaction { uint256 classId; uint256 nonceId; uint256 _amount; }
        #[derive(Debug, PartialEq, Eq)]
        event Transfer(address indexed _operator, address indexed _from, address indexed _to, Transaction[] _transactions);
        #[derive(Debug, PartialEq, Eq)]
        event Issue(address indexed _operator, address indexed _to, Transaction[] _transactions);
        #[derive(Debug, PartialEq, Eq)]
        event Redeem(address indexed _operator, address indexed _from, Transaction[] _transactions);
        #[derive(Debug, PartialEq, Eq)]
        event Matured(uint256 indexed classId, uint256 indexed nonceId);
        #[derive(Debug, PartialEq, Eq)]
        event Defaulted(uint256 indexed classId, uint256 indexed nonceId, string reason);
    }
}

/// T-REX's proxies declare `ImplementationAuthoritySet` with the address indexed: the same topic
/// as the factory's event, one topic more.
pub mod trex_proxy {
    use alloy::sol;

    sol! {
        #[derive(Debug, PartialEq, Eq)]
        event ImplementationAuthoritySet(address indexed _implementationAuthority);
    }
}

/// The other signatures of ERC-1400-family events that deployed contracts emit.
pub mod erc1400_variants {
    use alloy::sol;

    sol! {
        /// Without operator: the reference interfaces (SecurityTokenStandard/EIP-Spec), Polymath.
        #[derive(Debug, PartialEq, Eq)]
        event IssuedByPartition(bytes32 indexed partition, address indexed to, uint256 value, bytes data);
        /// Without data: UniversalToken.
        #[derive(Debug, PartialEq, Eq)]
        event RedeemedByPartition(bytes32 indexed partition, address indexed operator, address indexed from, uint256 value, bytes operatorData);
        /// The short form without data, declared by simplified ERC-1644 implementations.
        #[derive(Debug, PartialEq, Eq)]
        event ControllerTransfer(address controller, address indexed from, address indexed to, uint256 value);
        /// The short form without data.
        #[derive(Debug, PartialEq, Eq)]
        event ControllerRedemption(address controller, address indexed account, uint256 value);
    }
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

    /// The partition views of ERC-1410, read by tests to compare the index with the chain.
    #[sol(rpc)]
    interface IERC1410State {
        function balanceOfByPartition(bytes32 partition, address tokenHolder) external view returns (uint256);
        function partitionsOf(address tokenHolder) external view returns (bytes32[] memory);
        function totalSupplyByPartition(bytes32 partition) external view returns (uint256);
    }
}

mod polymath;
mod securitize;
pub use polymath::{st20, st20_v1, st20_v21};
pub use securitize::{ds, ds_v1};
