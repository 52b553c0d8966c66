//! Securitize DS Protocol (github.com/securitize-io/dstoken): the token (`IDSToken`), the
//! registry service (`IDSRegistryService`), the lock managers (`IDSLockManager`, wallet- and
//! investor-based), the trust service (`IDSTrustService`), the wallet manager
//! (`IDSWalletManager`), the compliance configuration (`IDSComplianceConfigurationService`) and
//! the service consumer every DS contract is (`IDSServiceConsumer`). The forms of the current
//! interfaces are in [`ds`], the other forms earlier versions emit in [`ds_v1`]; parameter names
//! changed between versions, types (and so topics) only where [`ds_v1`] says.

pub mod ds {
    use alloy::sol;

    sol! {
        /// `IDSToken`: issuance (its `Transfer` from zero moves the balance), burn and seizure.
        #[derive(Debug, PartialEq, Eq)]
        event Issue(address indexed to, uint256 value, uint256 valueLocked);
        #[derive(Debug, PartialEq, Eq)]
        event Burn(address indexed burner, uint256 value, string reason);
        #[derive(Debug, PartialEq, Eq)]
        event Seize(address indexed from, address indexed to, uint256 value, string reason);
        /// The token's list of wallets that hold a balance.
        #[derive(Debug, PartialEq, Eq)]
        event WalletAdded(address wallet);
        #[derive(Debug, PartialEq, Eq)]
        event WalletRemoved(address wallet);
        /// Rebasing tokens: the shares behind a `Transfer`'s value and the multiplier then.
        #[derive(Debug, PartialEq, Eq)]
        event TxShares(address indexed from, address indexed to, uint256 shares, uint256 multiplier);

        /// `IDSRegistryService`.
        #[derive(Debug, PartialEq, Eq)]
        event DSRegistryServiceInvestorAdded(string investorId, address sender);
        #[derive(Debug, PartialEq, Eq)]
        event DSRegistryServiceInvestorRemoved(string investorId, address sender);
        #[derive(Debug, PartialEq, Eq)]
        event DSRegistryServiceInvestorCountryChanged(string investorId, string country, address sender);
        #[derive(Debug, PartialEq, Eq)]
        event DSRegistryServiceInvestorAttributeChanged(string investorId, uint256 attributeId, uint256 value, uint256 expiry, string proofHash, address sender);
        #[derive(Debug, PartialEq, Eq)]
        event DSRegistryServiceWalletAdded(address wallet, string investorId, address sender);
        #[derive(Debug, PartialEq, Eq)]
        event DSRegistryServiceWalletRemoved(address wallet, string investorId, address sender);
        #[derive(Debug, PartialEq, Eq)]
        event DSRegistryServiceOmnibusWalletAdded(address omnibusWallet, string investorId, address omnibusWalletController);
        #[derive(Debug, PartialEq, Eq)]
        event DSRegistryServiceOmnibusWalletRemoved(address omnibusWallet, string investorId);

        /// `IDSLockManager`: a wallet's lock (the wallet-based manager; the investor-based one
        /// emits it after the investor's `HolderLocked` for the same lock).
        #[derive(Debug, PartialEq, Eq)]
        event Locked(address indexed who, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime);
        #[derive(Debug, PartialEq, Eq)]
        event Unlocked(address indexed who, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime);
        #[derive(Debug, PartialEq, Eq)]
        event HolderLocked(string holderId, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime);
        #[derive(Debug, PartialEq, Eq)]
        event HolderUnlocked(string holderId, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime);

        /// `IDSTrustService`: roles (1 master, 2 issuer, 4 exchange, 8 transfer agent).
        #[derive(Debug, PartialEq, Eq)]
        event DSTrustServiceRoleAdded(address targetAddress, uint8 role, address sender);
        #[derive(Debug, PartialEq, Eq)]
        event DSTrustServiceRoleRemoved(address targetAddress, uint8 role, address sender);

        /// `IDSWalletManager`: platform and issuer wallets, reserved investor slots.
        #[derive(Debug, PartialEq, Eq)]
        event DSWalletManagerSpecialWalletAdded(address wallet, uint8 walletType, address sender);
        #[derive(Debug, PartialEq, Eq)]
        event DSWalletManagerSpecialWalletRemoved(address wallet, uint8 walletType, address sender);
        #[derive(Debug, PartialEq, Eq)]
        event DSWalletManagerReservedSlotsSet(address wallet, string country, uint8 accreditationStatus, uint256 slots, address sender);

        /// `IDSComplianceConfigurationService`: the compliance rules (investor limits, lock
        /// periods, minimum holdings).
        #[derive(Debug, PartialEq, Eq)]
        event DSComplianceUIntRuleSet(string ruleName, uint256 prevValue, uint256 newValue);
        #[derive(Debug, PartialEq, Eq)]
        event DSComplianceBoolRuleSet(string ruleName, bool prevValue, bool newValue);
        #[derive(Debug, PartialEq, Eq)]
        event DSComplianceStringToUIntMapRuleSet(string ruleName, string keyValue, uint256 prevValue, uint256 newValue);

        /// `IDSServiceConsumer`: the contract now uses `serviceAddress` as service `serviceId`
        /// (1 trust, 2 token, 4 registry, 8 compliance, 32 wallet manager, 64 lock manager,
        /// 256 compliance configuration).
        #[derive(Debug, PartialEq, Eq)]
        event DSServiceSet(uint256 serviceId, address serviceAddress);
    }

    sol! {
        /// The views ingest follows a DS token's services by, and tests compare the index with.
        #[sol(rpc)]
        interface IDSViews {
            function getDSService(uint256 serviceId) external view returns (address);
            function getInvestor(address wallet) external view returns (string memory);
            function getCountry(string memory id) external view returns (string memory);
            function getAttributeValue(string memory id, uint8 attributeId) external view returns (uint256);
            function getAttributeExpiry(string memory id, uint8 attributeId) external view returns (uint256);
            function isInvestor(string memory id) external view returns (bool);
            function balanceOfInvestor(string memory id) external view returns (uint256);
            function totalInvestors() external view returns (uint256);
            function lockCountForInvestor(string memory id) external view returns (uint256);
            function lockInfoForInvestor(string memory id, uint256 index) external view returns (uint256 reasonCode, string memory reasonString, uint256 value, uint256 autoReleaseTime);
            function getTransferableTokens(address who, uint256 time) external view returns (uint256);
        }
    }
}

/// The forms of DS events that earlier versions declared with other types.
pub mod ds_v1 {
    use alloy::sol;

    sol! {
        /// Before the sender was added (dstoken 1.x).
        #[derive(Debug, PartialEq, Eq)]
        event DSTrustServiceRoleAdded(address _address, uint8 _role);
        #[derive(Debug, PartialEq, Eq)]
        event DSTrustServiceRoleRemoved(address _address, uint8 _role);
        /// `updateInvestor` in dstoken 1.x.
        #[derive(Debug, PartialEq, Eq)]
        event DSRegistryServiceInvestorChanged(string _investorId, address _sender);
        /// The investor lock manager of dstoken 3.x named its investor events so.
        #[derive(Debug, PartialEq, Eq)]
        event InvestorLocked(string investorId, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime);
        #[derive(Debug, PartialEq, Eq)]
        event InvestorUnlocked(string investorId, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime);
        #[derive(Debug, PartialEq, Eq)]
        event InvestorFullyLocked(string investorId);
        #[derive(Debug, PartialEq, Eq)]
        event InvestorFullyUnlocked(string investorId);
        #[derive(Debug, PartialEq, Eq)]
        event InvestorPaused(string investorId);
        #[derive(Debug, PartialEq, Eq)]
        event InvestorUnpaused(string investorId);
        #[derive(Debug, PartialEq, Eq)]
        event InvestorLiquidateOnlySet(string investorId, bool enabled);
        /// The 1.x token's burn, without a reason.
        #[derive(Debug, PartialEq, Eq)]
        event Burn(address indexed burner, uint256 value);
        /// The partitioned token (dstoken 2.x-3.x): each comes with the `Transfer` that moves the
        /// balance; these say which partition the tokens left or entered.
        #[derive(Debug, PartialEq, Eq)]
        event IssueByPartition(address indexed to, uint256 value, bytes32 indexed partition);
        #[derive(Debug, PartialEq, Eq)]
        event BurnByPartition(address indexed burner, uint256 value, string reason, bytes32 indexed partition);
        #[derive(Debug, PartialEq, Eq)]
        event SeizeByPartition(address indexed from, address indexed to, uint256 value, string reason, bytes32 indexed partition);
        #[derive(Debug, PartialEq, Eq)]
        event TransferByPartition(address indexed from, address indexed to, uint256 value, bytes32 indexed partition);
        /// The partitioned lock managers (dstoken 2.x-3.x).
        #[derive(Debug, PartialEq, Eq)]
        event LockedPartition(address indexed who, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime, bytes32 indexed partition);
        #[derive(Debug, PartialEq, Eq)]
        event UnlockedPartition(address indexed who, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime, bytes32 indexed partition);
        #[derive(Debug, PartialEq, Eq)]
        event HolderLockedPartition(string investorId, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime, bytes32 indexed partition);
        #[derive(Debug, PartialEq, Eq)]
        event HolderUnlockedPartition(string investorId, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime, bytes32 indexed partition);
    }
}
