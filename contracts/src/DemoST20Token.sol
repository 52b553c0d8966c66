// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

// A Polymath ST-20 token and general transfer manager for registrar's demo and tests. Polymath
// publishes no artifacts on the registries here, so these follow the published sources
// (github.com/PolymathNetwork/polymath-core, v2.0.0: `SecurityToken.sol`,
// `GeneralTransferManager.sol`): every event has exactly the v2.0 signature, and the behaviour the
// register depends on is the published one:
// - modules are registered by type (2: transfer managers) with `ModuleAdded`, listed by
//   `getModulesByType`, and every transfer, mint and burn asks the transfer managers;
// - the general transfer manager's whitelist gives each investor a time from which it may send,
//   one from which it may receive, a KYC expiry and whether it may buy in the offering
//   (`ModifyWhitelist`, `whitelist(investor)`);
// - `mint` emits `Minted` then `Transfer`; `burn` emits `Burnt` then `Transfer`; the controller's
//   `forceTransfer` emits `ForceTransfer` then `Transfer`, its `forceBurn` `Burnt`, `Transfer` and
//   `ForceBurn`; `freezeTransfers`/`unfreezeTransfers` emit `FreezeTransfers`;
// - `createCheckpoint` emits `CheckpointCreated`; `balanceOfAt` and `totalSupplyAt` answer the
//   balances at each checkpoint, kept as Polymath keeps them (the value before the first change
//   after the checkpoint).
// What is simpler: modules are deployed by the issuer and attached by address (no factories,
// costs or budgets), and there is no offering (STO) module.

/// `GeneralTransferManager` v2.0.
contract DemoGeneralTransferManager {
    event ModifyWhitelist(
        address _investor,
        uint256 _dateAdded,
        address _addedBy,
        uint256 _fromTime,
        uint256 _toTime,
        uint256 _expiryTime,
        bool _canBuyFromSTO
    );

    struct TimeRestriction {
        uint256 fromTime;
        uint256 toTime;
        uint256 expiryTime;
        bool canBuyFromSTO;
    }

    address public securityToken;
    address public owner;
    mapping(address => TimeRestriction) public whitelist;

    constructor(address _securityToken) {
        securityToken = _securityToken;
        owner = msg.sender;
    }

    function modifyWhitelist(
        address _investor,
        uint256 _fromTime,
        uint256 _toTime,
        uint256 _expiryTime,
        bool _canBuyFromSTO
    ) public {
        require(msg.sender == owner, "Not owner");
        whitelist[_investor] = TimeRestriction(_fromTime, _toTime, _expiryTime, _canBuyFromSTO);
        emit ModifyWhitelist(_investor, block.timestamp, msg.sender, _fromTime, _toTime, _expiryTime, _canBuyFromSTO);
    }

    /// A transfer (or a mint, `_from` zero) is valid when the sender may send and the recipient may
    /// receive now, and neither's KYC has expired.
    function verifyTransfer(address _from, address _to) public view returns (bool) {
        bool sends = _from == address(0)
            || (whitelist[_from].fromTime <= block.timestamp && whitelist[_from].expiryTime >= block.timestamp);
        bool receives = _to == address(0)
            || (whitelist[_to].toTime != 0 && whitelist[_to].toTime <= block.timestamp
                && whitelist[_to].expiryTime >= block.timestamp);
        return sends && receives;
    }
}

/// `SecurityToken` v2.0 (ST-20).
contract DemoST20Token {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event ModuleAdded(
        uint8[] _types,
        bytes32 _name,
        address _moduleFactory,
        address _module,
        uint256 _moduleCost,
        uint256 _budget,
        uint256 _timestamp
    );
    event ModuleRemoved(uint8[] _types, address _module, uint256 _timestamp);
    event FreezeTransfers(bool _status, uint256 _timestamp);
    event CheckpointCreated(uint256 indexed _checkpointId, uint256 _timestamp);
    event Minted(address indexed _to, uint256 _value);
    event Burnt(address indexed _from, uint256 _value);
    event SetController(address indexed _oldController, address indexed _newController);
    event ForceTransfer(
        address indexed _controller,
        address indexed _from,
        address indexed _to,
        uint256 _value,
        bool _verifyTransfer,
        bytes _data
    );
    event ForceBurn(address indexed _controller, address indexed _from, uint256 _value, bool _verifyTransfer, bytes _data);

    uint8 public constant TRANSFER_KEY = 2;

    struct Checkpoint {
        uint256 checkpointId;
        uint256 value;
    }

    string public name;
    string public symbol;
    uint8 public constant decimals = 0;
    address public owner;
    address public controller;
    bool public transfersFrozen;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(uint8 => address[]) private _modules;

    uint256 public currentCheckpointId;
    mapping(address => Checkpoint[]) private _balanceCheckpoints;
    Checkpoint[] private _supplyCheckpoints;

    constructor(string memory _name, string memory _symbol) {
        name = _name;
        symbol = _symbol;
        owner = msg.sender;
    }

    modifier onlyOwner() {
        require(msg.sender == owner, "Not owner");
        _;
    }

    modifier onlyController() {
        require(msg.sender == controller, "Not controller");
        _;
    }

    function addModule(address _module, bytes32 _name, uint8 _type) public onlyOwner {
        _modules[_type].push(_module);
        uint8[] memory types = new uint8[](1);
        types[0] = _type;
        emit ModuleAdded(types, _name, address(this), _module, 0, 0, block.timestamp);
    }

    function getModulesByType(uint8 _type) external view returns (address[] memory) {
        return _modules[_type];
    }

    function setController(address _controller) public onlyOwner {
        emit SetController(controller, _controller);
        controller = _controller;
    }

    function freezeTransfers() public onlyOwner {
        require(!transfersFrozen, "Already frozen");
        transfersFrozen = true;
        emit FreezeTransfers(true, block.timestamp);
    }

    function unfreezeTransfers() public onlyOwner {
        require(transfersFrozen, "Not frozen");
        transfersFrozen = false;
        emit FreezeTransfers(false, block.timestamp);
    }

    function createCheckpoint() public onlyOwner returns (uint256) {
        currentCheckpointId += 1;
        emit CheckpointCreated(currentCheckpointId, block.timestamp);
        return currentCheckpointId;
    }

    function balanceOfAt(address _investor, uint256 _checkpointId) public view returns (uint256) {
        return _valueAt(_balanceCheckpoints[_investor], _checkpointId, balanceOf[_investor]);
    }

    function totalSupplyAt(uint256 _checkpointId) public view returns (uint256) {
        return _valueAt(_supplyCheckpoints, _checkpointId, totalSupply);
    }

    function mint(address _investor, uint256 _value) public onlyOwner returns (bool) {
        require(_verify(address(0), _investor), "Transfer Invalid");
        _update(address(0), _investor, _value);
        emit Minted(_investor, _value);
        emit Transfer(address(0), _investor, _value);
        return true;
    }

    function burn(uint256 _value) public {
        require(_verify(msg.sender, address(0)), "Transfer Invalid");
        _update(msg.sender, address(0), _value);
        emit Burnt(msg.sender, _value);
        emit Transfer(msg.sender, address(0), _value);
    }

    function transfer(address _to, uint256 _value) public returns (bool) {
        require(!transfersFrozen, "Transfers are frozen");
        require(_verify(msg.sender, _to), "Transfer Invalid");
        _update(msg.sender, _to, _value);
        emit Transfer(msg.sender, _to, _value);
        return true;
    }

    function forceTransfer(address _from, address _to, uint256 _value, bytes calldata _data) public onlyController {
        require(_to != address(0), "Invalid address");
        _update(_from, _to, _value);
        emit ForceTransfer(msg.sender, _from, _to, _value, false, _data);
        emit Transfer(_from, _to, _value);
    }

    function forceBurn(address _from, uint256 _value, bytes calldata _data) public onlyController {
        _update(_from, address(0), _value);
        emit Burnt(_from, _value);
        emit Transfer(_from, address(0), _value);
        emit ForceBurn(msg.sender, _from, _value, false, _data);
    }

    function _verify(address _from, address _to) private view returns (bool) {
        address[] storage managers = _modules[TRANSFER_KEY];
        for (uint256 i = 0; i < managers.length; i++) {
            if (!DemoGeneralTransferManager(managers[i]).verifyTransfer(_from, _to)) {
                return false;
            }
        }
        return true;
    }

    function _update(address _from, address _to, uint256 _value) private {
        _adjust(_supplyCheckpoints, totalSupply);
        if (_from == address(0)) {
            totalSupply += _value;
        } else {
            _adjust(_balanceCheckpoints[_from], balanceOf[_from]);
            require(balanceOf[_from] >= _value, "Insufficient balance");
            balanceOf[_from] -= _value;
        }
        if (_to == address(0)) {
            totalSupply -= _value;
        } else {
            _adjust(_balanceCheckpoints[_to], balanceOf[_to]);
            balanceOf[_to] += _value;
        }
    }

    /// Polymath's `_adjustCheckpoints`: the first change after a checkpoint records the value
    /// the checkpoint saw.
    function _adjust(Checkpoint[] storage _checkpoints, uint256 _value) private {
        if (currentCheckpointId == 0) {
            return;
        }
        if (_checkpoints.length > 0 && _checkpoints[_checkpoints.length - 1].checkpointId == currentCheckpointId) {
            return;
        }
        _checkpoints.push(Checkpoint(currentCheckpointId, _value));
    }

    function _valueAt(Checkpoint[] storage _checkpoints, uint256 _checkpointId, uint256 _current)
        private
        view
        returns (uint256)
    {
        require(_checkpointId <= currentCheckpointId, "Invalid checkpoint");
        // The first record at or after the checkpoint holds the value it saw; none: unchanged since.
        for (uint256 i = 0; i < _checkpoints.length; i++) {
            if (_checkpoints[i].checkpointId >= _checkpointId) {
                return _checkpoints[i].value;
            }
        }
        return _current;
    }
}
