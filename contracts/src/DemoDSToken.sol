// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

// A DS Protocol suite for registrar's demo and tests. Securitize publishes no compiled artifacts,
// so these contracts follow the published sources (github.com/securitize-io/dstoken, 4.x):
// every event has exactly the signature of the interface named above it, and the behaviour the
// register depends on is the published one:
// - the registry service (`IDSRegistryService`) keeps investors by string id, each with a country,
//   attributes (KYC, accreditation, ... with an expiry) and wallets; a wallet belongs to one
//   investor; an investor with wallets cannot be removed;
// - the token (`IDSToken`, `DSToken`) issues with `Issue` then `Transfer`, burns with `Burn` then
//   `Transfer`, seizes with `Seize` then `Transfer`, keeps the balance of each investor across
//   its wallets, counts investors that hold tokens, lists its wallets with a balance
//   (`WalletAdded`/`WalletRemoved`), and states the shares behind each transfer (`TxShares`);
// - the lock manager (`IDSLockManager`, `InvestorLockManager`) keeps locks per investor: a lock
//   made through a wallet emits the investor's `HolderLocked` then the wallet's `Locked`; removing
//   lock `i` emits `Unlocked` then `HolderUnlocked` and moves the last lock into slot `i`; a
//   transfer may not move locked tokens;
// - the trust service (`IDSTrustService`) keeps roles (1 master, 2 issuer, 4 exchange, 8
//   transfer agent);
// - the compliance configuration (`IDSComplianceConfigurationService`) announces its rules;
// - every contract is a service consumer (`IDSServiceConsumer`): `setDSService` emits
//   `DSServiceSet` and `getDSService` answers.
// What is simpler than the published code: no proxies or upgrades, no omnibus wallets, no
// rebasing (the multiplier is 1e18), and compliance checks only registration and locks.

/// `IDSServiceConsumer`.
abstract contract DSServiceConsumer {
    uint256 public constant TRUST_SERVICE = 1;
    uint256 public constant DS_TOKEN = 2;
    uint256 public constant REGISTRY_SERVICE = 4;
    uint256 public constant COMPLIANCE_SERVICE = 8;
    uint256 public constant WALLET_MANAGER = 32;
    uint256 public constant LOCK_MANAGER = 64;
    uint256 public constant COMPLIANCE_CONFIGURATION_SERVICE = 256;

    event DSServiceSet(uint256 serviceId, address serviceAddress);

    address public master;
    mapping(uint256 => address) private _services;

    constructor() {
        master = msg.sender;
    }

    modifier onlyMaster() {
        require(msg.sender == master, "Not master");
        _;
    }

    function getDSService(uint256 _serviceId) public view returns (address) {
        return _services[_serviceId];
    }

    function setDSService(uint256 _serviceId, address _address) public onlyMaster returns (bool) {
        _services[_serviceId] = _address;
        emit DSServiceSet(_serviceId, _address);
        return true;
    }
}

/// `IDSTrustService`.
contract DemoDSTrustService is DSServiceConsumer {
    event DSTrustServiceRoleAdded(address targetAddress, uint8 role, address sender);
    event DSTrustServiceRoleRemoved(address targetAddress, uint8 role, address sender);

    mapping(address => uint8) public getRole;

    constructor() {
        getRole[msg.sender] = 1;
        emit DSTrustServiceRoleAdded(msg.sender, 1, msg.sender);
    }

    function setRole(address _address, uint8 _role) public onlyMaster returns (bool) {
        getRole[_address] = _role;
        emit DSTrustServiceRoleAdded(_address, _role, msg.sender);
        return true;
    }

    function removeRole(address _address) public onlyMaster returns (bool) {
        uint8 role = getRole[_address];
        delete getRole[_address];
        emit DSTrustServiceRoleRemoved(_address, role, msg.sender);
        return true;
    }
}

/// `IDSRegistryService`.
contract DemoDSRegistryService is DSServiceConsumer {
    event DSRegistryServiceInvestorAdded(string investorId, address sender);
    event DSRegistryServiceInvestorRemoved(string investorId, address sender);
    event DSRegistryServiceInvestorCountryChanged(string investorId, string country, address sender);
    event DSRegistryServiceInvestorAttributeChanged(
        string investorId, uint256 attributeId, uint256 value, uint256 expiry, string proofHash, address sender
    );
    event DSRegistryServiceWalletAdded(address wallet, string investorId, address sender);
    event DSRegistryServiceWalletRemoved(address wallet, string investorId, address sender);

    struct Attribute {
        uint256 value;
        uint256 expiry;
        string proofHash;
    }

    struct Investor {
        bool exists;
        string country;
        uint256 walletCount;
        mapping(uint8 => Attribute) attributes;
    }

    mapping(string => Investor) private _investors;
    mapping(address => string) private _wallets;

    function registerInvestor(string calldata _id, string calldata) public onlyMaster returns (bool) {
        require(!_investors[_id].exists, "Investor already exists");
        _investors[_id].exists = true;
        emit DSRegistryServiceInvestorAdded(_id, msg.sender);
        return true;
    }

    function removeInvestor(string calldata _id) public onlyMaster returns (bool) {
        require(_investors[_id].exists, "Unknown investor");
        require(_investors[_id].walletCount == 0, "Investor has wallets");
        // As the published code: `delete` leaves the attributes mapping.
        delete _investors[_id];
        emit DSRegistryServiceInvestorRemoved(_id, msg.sender);
        return true;
    }

    function setCountry(string calldata _id, string memory _country) public onlyMaster returns (bool) {
        require(_investors[_id].exists, "Unknown investor");
        _investors[_id].country = _country;
        emit DSRegistryServiceInvestorCountryChanged(_id, _country, msg.sender);
        return true;
    }

    function setAttribute(
        string calldata _id,
        uint8 _attributeId,
        uint256 _value,
        uint256 _expiry,
        string calldata _proofHash
    ) public onlyMaster returns (bool) {
        require(_investors[_id].exists, "Unknown investor");
        _investors[_id].attributes[_attributeId] = Attribute(_value, _expiry, _proofHash);
        emit DSRegistryServiceInvestorAttributeChanged(_id, _attributeId, _value, _expiry, _proofHash, msg.sender);
        return true;
    }

    function addWallet(address _address, string calldata _id) public onlyMaster returns (bool) {
        require(_investors[_id].exists, "Unknown investor");
        require(bytes(_wallets[_address]).length == 0, "Wallet already exists");
        _wallets[_address] = _id;
        _investors[_id].walletCount += 1;
        emit DSRegistryServiceWalletAdded(_address, _id, msg.sender);
        return true;
    }

    function removeWallet(address _address, string calldata _id) public onlyMaster returns (bool) {
        require(keccak256(bytes(_wallets[_address])) == keccak256(bytes(_id)), "Wallet does not belong to investor");
        delete _wallets[_address];
        _investors[_id].walletCount -= 1;
        emit DSRegistryServiceWalletRemoved(_address, _id, msg.sender);
        return true;
    }

    function getInvestor(address _address) public view returns (string memory) {
        return _wallets[_address];
    }

    function getCountry(string memory _id) public view returns (string memory) {
        return _investors[_id].country;
    }

    function getAttributeValue(string memory _id, uint8 _attributeId) public view returns (uint256) {
        return _investors[_id].attributes[_attributeId].value;
    }

    function getAttributeExpiry(string memory _id, uint8 _attributeId) public view returns (uint256) {
        return _investors[_id].attributes[_attributeId].expiry;
    }

    function isInvestor(string memory _id) public view returns (bool) {
        return _investors[_id].exists;
    }

    function isWallet(address _address) public view returns (bool) {
        return bytes(_wallets[_address]).length > 0;
    }
}

/// `IDSLockManager`, as `InvestorLockManager` keeps locks: per investor.
contract DemoDSLockManager is DSServiceConsumer {
    event Locked(address indexed who, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime);
    event Unlocked(address indexed who, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime);
    event HolderLocked(string holderId, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime);
    event HolderUnlocked(string holderId, uint256 value, uint256 indexed reason, string reasonString, uint256 releaseTime);

    struct Lock {
        uint256 value;
        uint256 reason;
        string reasonString;
        uint256 releaseTime;
    }

    mapping(string => Lock[]) private _locks;

    modifier onlyMasterOrToken() {
        require(msg.sender == master || msg.sender == getDSService(DS_TOKEN), "Not master or token");
        _;
    }

    function registry() internal view returns (DemoDSRegistryService) {
        return DemoDSRegistryService(getDSService(REGISTRY_SERVICE));
    }

    function createLockForInvestor(
        string memory _investor,
        uint256 _valueLocked,
        uint256 _reasonCode,
        string memory _reasonString,
        uint256 _releaseTime
    ) public onlyMasterOrToken {
        require(_valueLocked > 0, "Value is zero");
        _locks[_investor].push(Lock(_valueLocked, _reasonCode, _reasonString, _releaseTime));
        emit HolderLocked(_investor, _valueLocked, _reasonCode, _reasonString, _releaseTime);
    }

    function addManualLockRecord(address _to, uint256 _valueLocked, string memory _reason, uint256 _releaseTime)
        public
        onlyMasterOrToken
    {
        require(_to != address(0), "Invalid address");
        createLockForInvestor(registry().getInvestor(_to), _valueLocked, 0, _reason, _releaseTime);
        emit Locked(_to, _valueLocked, 0, _reason, _releaseTime);
    }

    function removeLockRecordForInvestor(string memory _investorId, uint256 _lockIndex) public onlyMaster returns (bool) {
        Lock[] storage locks = _locks[_investorId];
        require(_lockIndex < locks.length, "Index is greater than the number of locks");
        Lock memory l = locks[_lockIndex];
        emit HolderUnlocked(_investorId, l.value, l.reason, l.reasonString, l.releaseTime);
        locks[_lockIndex] = locks[locks.length - 1];
        locks.pop();
        return true;
    }

    function removeLockRecord(address _to, uint256 _lockIndex) public onlyMaster returns (bool) {
        string memory investor = registry().getInvestor(_to);
        Lock memory l = _locks[investor][_lockIndex];
        emit Unlocked(_to, l.value, l.reason, l.reasonString, l.releaseTime);
        return removeLockRecordForInvestor(investor, _lockIndex);
    }

    function lockCountForInvestor(string memory _investorId) public view returns (uint256) {
        return _locks[_investorId].length;
    }

    function lockInfoForInvestor(string memory _investorId, uint256 _lockIndex)
        public
        view
        returns (uint256 reasonCode, string memory reasonString, uint256 value, uint256 autoReleaseTime)
    {
        Lock storage l = _locks[_investorId][_lockIndex];
        return (l.reason, l.reasonString, l.value, l.releaseTime);
    }

    function getTransferableTokensForInvestor(string memory _investorId, uint256 _time) public view returns (uint256) {
        uint256 balance = DemoDSToken(getDSService(DS_TOKEN)).balanceOfInvestor(_investorId);
        uint256 locked = 0;
        Lock[] storage locks = _locks[_investorId];
        for (uint256 i = 0; i < locks.length; i++) {
            if (locks[i].releaseTime == 0 || locks[i].releaseTime > _time) {
                locked += locks[i].value;
            }
        }
        return locked >= balance ? 0 : balance - locked;
    }

    function getTransferableTokens(address _who, uint256 _time) public view returns (uint256) {
        return getTransferableTokensForInvestor(registry().getInvestor(_who), _time);
    }
}

/// `IDSComplianceConfigurationService`: the rules this demo sets.
contract DemoDSComplianceConfiguration is DSServiceConsumer {
    event DSComplianceUIntRuleSet(string ruleName, uint256 prevValue, uint256 newValue);
    event DSComplianceBoolRuleSet(string ruleName, bool prevValue, bool newValue);
    event DSComplianceStringToUIntMapRuleSet(string ruleName, string keyValue, uint256 prevValue, uint256 newValue);

    uint256 public getTotalInvestorsLimit;
    bool public getForceFullTransfer;
    mapping(string => uint256) public getCountryCompliance;

    function setTotalInvestorsLimit(uint256 _value) public onlyMaster {
        emit DSComplianceUIntRuleSet("totalInvestorsLimit", getTotalInvestorsLimit, _value);
        getTotalInvestorsLimit = _value;
    }

    function setForceFullTransfer(bool _value) public onlyMaster {
        emit DSComplianceBoolRuleSet("forceFullTransfer", getForceFullTransfer, _value);
        getForceFullTransfer = _value;
    }

    function setCountryCompliance(string calldata _country, uint256 _value) public onlyMaster {
        emit DSComplianceStringToUIntMapRuleSet("countryCompliance", _country, getCountryCompliance[_country], _value);
        getCountryCompliance[_country] = _value;
    }
}

/// `IDSToken`.
contract DemoDSToken is DSServiceConsumer {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Issue(address indexed to, uint256 value, uint256 valueLocked);
    event TxShares(address indexed from, address indexed to, uint256 shares, uint256 multiplier);
    event Burn(address indexed burner, uint256 value, string reason);
    event Seize(address indexed from, address indexed to, uint256 value, string reason);
    event WalletAdded(address wallet);
    event WalletRemoved(address wallet);

    uint256 private constant MULTIPLIER = 1e18;

    string public name;
    string public symbol;
    uint8 public constant decimals = 0;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(string => uint256) private _investorBalances;
    uint256 public totalInvestors;
    mapping(address => bool) private _listed;
    uint256 public walletCount;

    constructor(string memory _name, string memory _symbol) {
        name = _name;
        symbol = _symbol;
    }

    function registry() internal view returns (DemoDSRegistryService) {
        return DemoDSRegistryService(getDSService(REGISTRY_SERVICE));
    }

    function lockManager() internal view returns (DemoDSLockManager) {
        return DemoDSLockManager(getDSService(LOCK_MANAGER));
    }

    function balanceOfInvestor(string memory _id) public view returns (uint256) {
        return _investorBalances[_id];
    }

    function issueTokensCustom(
        address _to,
        uint256 _value,
        uint256,
        uint256 _valueLocked,
        string memory _reason,
        uint64 _releaseTime
    ) public onlyMaster returns (bool) {
        require(registry().isWallet(_to), "Wallet not registered");
        _move(address(0), _to, _value);
        if (_valueLocked > 0) {
            lockManager().addManualLockRecord(_to, _valueLocked, _reason, _releaseTime);
        }
        emit Issue(_to, _value, _valueLocked);
        emit Transfer(address(0), _to, _value);
        emit TxShares(address(0), _to, _value, MULTIPLIER);
        _checkWalletsForList(address(0), _to);
        return true;
    }

    function issueTokens(address _to, uint256 _value) public returns (bool) {
        return issueTokensCustom(_to, _value, block.timestamp, 0, "", 0);
    }

    function burn(address _who, uint256 _value, string calldata _reason) public onlyMaster {
        _move(_who, address(0), _value);
        emit Burn(_who, _value, _reason);
        emit Transfer(_who, address(0), _value);
        emit TxShares(_who, address(0), _value, MULTIPLIER);
        _checkWalletsForList(_who, address(0));
    }

    function seize(address _from, address _to, uint256 _value, string calldata _reason) public onlyMaster {
        require(registry().isWallet(_to), "Wallet not registered");
        _move(_from, _to, _value);
        emit Seize(_from, _to, _value, _reason);
        emit Transfer(_from, _to, _value);
        emit TxShares(_from, _to, _value, MULTIPLIER);
        _checkWalletsForList(_from, _to);
    }

    function transfer(address _to, uint256 _value) public returns (bool) {
        require(registry().isWallet(_to), "Wallet not registered");
        require(lockManager().getTransferableTokens(msg.sender, block.timestamp) >= _value, "Tokens locked");
        _move(msg.sender, _to, _value);
        emit Transfer(msg.sender, _to, _value);
        emit TxShares(msg.sender, _to, _value, MULTIPLIER);
        _checkWalletsForList(msg.sender, _to);
        return true;
    }

    function _move(address _from, address _to, uint256 _value) private {
        if (_from == address(0)) {
            totalSupply += _value;
        } else {
            require(balanceOf[_from] >= _value, "Not enough tokens");
            balanceOf[_from] -= _value;
            _investorDelta(registry().getInvestor(_from), _value, false);
        }
        if (_to == address(0)) {
            totalSupply -= _value;
        } else {
            balanceOf[_to] += _value;
            _investorDelta(registry().getInvestor(_to), _value, true);
        }
    }

    /// DS counts investors, not wallets: an investor holds when the sum of its wallets does.
    function _investorDelta(string memory _id, uint256 _value, bool _add) private {
        if (bytes(_id).length == 0 || _value == 0) {
            return;
        }
        uint256 before = _investorBalances[_id];
        uint256 afterwards = _add ? before + _value : before - _value;
        _investorBalances[_id] = afterwards;
        if (before == 0 && afterwards > 0) {
            totalInvestors += 1;
        } else if (before > 0 && afterwards == 0) {
            totalInvestors -= 1;
        }
    }

    function _checkWalletsForList(address _from, address _to) private {
        if (_from != address(0) && balanceOf[_from] == 0 && _listed[_from]) {
            _listed[_from] = false;
            walletCount -= 1;
            emit WalletRemoved(_from);
        }
        if (_to != address(0) && balanceOf[_to] > 0 && !_listed[_to]) {
            _listed[_to] = true;
            walletCount += 1;
            emit WalletAdded(_to);
        }
    }
}
