// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title DemoPartitionedToken
/// @notice A partitioned security token of the ERC-1400 family (ERC-1410 partitions, ERC-1594
/// issuance and redemption, ERC-1644 controller operations) for registrar's demo and tests.
///
/// The ERC-1400 drafts were never finalised and deployed implementations emit different event
/// signatures for the same operation. `style`, fixed at deployment, picks which set this
/// instance emits, so one contract shows every variant registrar decodes:
///
/// - `UNIVERSAL` (as ConsenSys UniversalToken): an ERC-20 `Transfer` for every movement besides
///   the partition event, ERC-1594 `Issued`/`Redeemed`, `IssuedByPartition` with operator and
///   operator data, `RedeemedByPartition` with operator data only, the ERC-1644 events with data.
/// - `REFERENCE` (as the ERC-1400 reference interfaces and Polymath): no ERC-20 events at all,
///   `IssuedByPartition(partition, to, value, data)` without operator, `RedeemedByPartition` with
///   data and operator data, and the short ERC-1644 events without data.
///
/// Balances live in partitions; `balanceOf` is their sum. ERC-1644 operations and `transfer`
/// act on the default partition (the first one issued).
contract DemoPartitionedToken {
    uint8 public constant UNIVERSAL = 0;
    uint8 public constant REFERENCE = 1;

    // ERC-20
    event Transfer(address indexed from, address indexed to, uint256 value);

    // ERC-1410
    event TransferByPartition(
        bytes32 indexed _fromPartition,
        address _operator,
        address indexed _from,
        address indexed _to,
        uint256 _value,
        bytes _data,
        bytes _operatorData
    );
    event ChangedPartition(bytes32 indexed _fromPartition, bytes32 indexed _toPartition, uint256 _value);
    event AuthorizedOperator(address indexed operator, address indexed tokenHolder);
    event RevokedOperator(address indexed operator, address indexed tokenHolder);
    event AuthorizedOperatorByPartition(bytes32 indexed partition, address indexed operator, address indexed tokenHolder);
    event RevokedOperatorByPartition(bytes32 indexed partition, address indexed operator, address indexed tokenHolder);
    // UniversalToken's forms.
    event IssuedByPartition(
        bytes32 indexed partition, address indexed operator, address indexed to, uint256 value, bytes data, bytes operatorData
    );
    event RedeemedByPartition(
        bytes32 indexed partition, address indexed operator, address indexed from, uint256 value, bytes operatorData
    );
    // The reference interfaces' forms.
    event IssuedByPartition(bytes32 indexed partition, address indexed to, uint256 value, bytes data);
    event RedeemedByPartition(
        bytes32 indexed partition, address indexed operator, address indexed from, uint256 value, bytes data, bytes operatorData
    );

    // ERC-1594
    event Issued(address indexed _operator, address indexed _to, uint256 _value, bytes _data);
    event Redeemed(address indexed _operator, address indexed _from, uint256 _value, bytes _data);

    // ERC-1644, with data and in the short form.
    event ControllerTransfer(
        address _controller, address indexed _from, address indexed _to, uint256 _value, bytes _data, bytes _operatorData
    );
    event ControllerRedemption(address _controller, address indexed _tokenHolder, uint256 _value, bytes _data, bytes _operatorData);
    event ControllerTransfer(address controller, address indexed from, address indexed to, uint256 value);
    event ControllerRedemption(address controller, address indexed account, uint256 value);

    string public name;
    string public symbol;
    uint8 public constant decimals = 0;
    uint8 public immutable style;
    address public controller;
    uint256 public totalSupply;
    bytes32 public defaultPartition;

    mapping(bytes32 => mapping(address => uint256)) public balanceOfByPartition;
    mapping(bytes32 => uint256) public totalSupplyByPartition;
    mapping(address => bytes32[]) private _partitionsOf;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => bool)) public isOperator;
    mapping(bytes32 => mapping(address => mapping(address => bool))) public isOperatorForPartition;

    modifier onlyController() {
        require(msg.sender == controller, "not the controller");
        _;
    }

    constructor(string memory name_, string memory symbol_, uint8 style_) {
        require(style_ <= REFERENCE, "unknown style");
        name = name_;
        symbol = symbol_;
        style = style_;
        controller = msg.sender;
    }

    function partitionsOf(address holder) external view returns (bytes32[] memory) {
        return _partitionsOf[holder];
    }

    // ---- ERC-1594 / ERC-1410 issuance and redemption ----

    function issueByPartition(bytes32 partition, address to, uint256 value, bytes calldata data) external onlyController {
        if (defaultPartition == bytes32(0)) defaultPartition = partition;
        if (style == UNIVERSAL) {
            emit Issued(msg.sender, to, value, data);
            emit Transfer(address(0), to, value);
        }
        _credit(partition, to, value);
        totalSupply += value;
        totalSupplyByPartition[partition] += value;
        if (style == UNIVERSAL) {
            emit IssuedByPartition(partition, msg.sender, to, value, data, "");
        } else {
            emit IssuedByPartition(partition, to, value, data);
            emit Issued(msg.sender, to, value, data);
        }
    }

    function redeemByPartition(bytes32 partition, uint256 value, bytes calldata data) external {
        _redeem(partition, msg.sender, msg.sender, value, data, "");
    }

    function operatorRedeemByPartition(bytes32 partition, address holder, uint256 value, bytes calldata operatorData)
        external
    {
        require(_mayOperate(partition, msg.sender, holder), "not an operator");
        _redeem(partition, msg.sender, holder, value, "", operatorData);
    }

    // ---- ERC-1410 transfers ----

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(defaultPartition, defaultPartition, msg.sender, msg.sender, to, value, "", "");
        return true;
    }

    function transferByPartition(bytes32 partition, address to, uint256 value, bytes calldata data)
        external
        returns (bytes32)
    {
        _transfer(partition, partition, msg.sender, msg.sender, to, value, data, "");
        return partition;
    }

    /// Moves tokens and puts them in another partition on arrival (e.g. "locked" to "unlocked"),
    /// emitting `ChangedPartition` after the `TransferByPartition`, as UniversalToken does.
    function transferToPartition(bytes32 fromPartition, bytes32 toPartition, address to, uint256 value)
        external
        returns (bytes32)
    {
        _transfer(fromPartition, toPartition, msg.sender, msg.sender, to, value, "", "");
        return toPartition;
    }

    function operatorTransferByPartition(
        bytes32 partition,
        address from,
        address to,
        uint256 value,
        bytes calldata data,
        bytes calldata operatorData
    ) external returns (bytes32) {
        require(_mayOperate(partition, msg.sender, from), "not an operator");
        _transfer(partition, partition, msg.sender, from, to, value, data, operatorData);
        return partition;
    }

    function authorizeOperator(address operator) external {
        isOperator[operator][msg.sender] = true;
        emit AuthorizedOperator(operator, msg.sender);
    }

    function revokeOperator(address operator) external {
        isOperator[operator][msg.sender] = false;
        emit RevokedOperator(operator, msg.sender);
    }

    function authorizeOperatorByPartition(bytes32 partition, address operator) external {
        isOperatorForPartition[partition][operator][msg.sender] = true;
        emit AuthorizedOperatorByPartition(partition, operator, msg.sender);
    }

    function revokeOperatorByPartition(bytes32 partition, address operator) external {
        isOperatorForPartition[partition][operator][msg.sender] = false;
        emit RevokedOperatorByPartition(partition, operator, msg.sender);
    }

    // ---- ERC-1644 ----

    function isControllable() external pure returns (bool) {
        return true;
    }

    function controllerTransfer(address from, address to, uint256 value, bytes calldata data, bytes calldata operatorData)
        external
        onlyController
    {
        _transfer(defaultPartition, defaultPartition, msg.sender, from, to, value, data, operatorData);
        if (style == UNIVERSAL) {
            emit ControllerTransfer(msg.sender, from, to, value, data, operatorData);
        } else {
            emit ControllerTransfer(msg.sender, from, to, value);
        }
    }

    function controllerRedeem(address holder, uint256 value, bytes calldata data, bytes calldata operatorData)
        external
        onlyController
    {
        _redeem(defaultPartition, msg.sender, holder, value, data, operatorData);
        if (style == UNIVERSAL) {
            emit ControllerRedemption(msg.sender, holder, value, data, operatorData);
        } else {
            emit ControllerRedemption(msg.sender, holder, value);
        }
    }

    // ---- internals ----

    function _mayOperate(bytes32 partition, address operator, address holder) internal view returns (bool) {
        return operator == holder || isOperator[operator][holder] || isOperatorForPartition[partition][operator][holder];
    }

    function _transfer(
        bytes32 fromPartition,
        bytes32 toPartition,
        address operator,
        address from,
        address to,
        uint256 value,
        bytes memory data,
        bytes memory operatorData
    ) internal {
        require(to != address(0), "transfer to zero");
        _debit(fromPartition, from, value);
        _credit(toPartition, to, value);
        if (fromPartition != toPartition) {
            totalSupplyByPartition[fromPartition] -= value;
            totalSupplyByPartition[toPartition] += value;
        }
        if (style == UNIVERSAL) emit Transfer(from, to, value);
        emit TransferByPartition(fromPartition, operator, from, to, value, data, operatorData);
        if (fromPartition != toPartition) emit ChangedPartition(fromPartition, toPartition, value);
    }

    function _redeem(
        bytes32 partition,
        address operator,
        address from,
        uint256 value,
        bytes memory data,
        bytes memory operatorData
    ) internal {
        _debit(partition, from, value);
        totalSupply -= value;
        totalSupplyByPartition[partition] -= value;
        if (style == UNIVERSAL) {
            emit Redeemed(operator, from, value, data);
            emit Transfer(from, address(0), value);
            emit RedeemedByPartition(partition, operator, from, value, operatorData);
        } else {
            emit RedeemedByPartition(partition, operator, from, value, data, operatorData);
            emit Redeemed(operator, from, value, data);
        }
    }

    function _credit(bytes32 partition, address to, uint256 value) internal {
        if (balanceOfByPartition[partition][to] == 0 && value > 0) _partitionsOf[to].push(partition);
        balanceOfByPartition[partition][to] += value;
        balanceOf[to] += value;
    }

    function _debit(bytes32 partition, address from, uint256 value) internal {
        require(balanceOfByPartition[partition][from] >= value, "insufficient balance in partition");
        balanceOfByPartition[partition][from] -= value;
        balanceOf[from] -= value;
        if (balanceOfByPartition[partition][from] == 0) {
            bytes32[] storage list = _partitionsOf[from];
            for (uint256 i = 0; i < list.length; i++) {
                if (list[i] == partition) {
                    list[i] = list[list.length - 1];
                    list.pop();
                    break;
                }
            }
        }
    }
}
