// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title DemoBond
/// @notice Bonds in ERC-3475 form (classes and nonces: a class is an issue, e.g. the 5% notes of
/// 2030; a nonce a tranche of it), with the debt events registrar decodes, for its demo and tests:
/// - ERC-3475 `Issue`, `Transfer`, `Redeem` with (class, nonce, amount) transactions;
/// - ERC-2222 coupon distributions: `FundsDistributed`, `FundsWithdrawn` (entitlements pro rata
///   to each holder's bonds of all classes at distribution);
/// - the life of a tranche, with this contract's own events (no standard exists):
///   `Matured(classId, nonceId)`: due, holders may redeem at par;
///   `Defaulted(classId, nonceId, reason)`: the issuer failed to pay; redemptions stop.
contract DemoBond {
    struct Transaction {
        uint256 classId;
        uint256 nonceId;
        uint256 _amount;
    }

    event Transfer(address indexed _operator, address indexed _from, address indexed _to, Transaction[] _transactions);
    event Issue(address indexed _operator, address indexed _to, Transaction[] _transactions);
    event Redeem(address indexed _operator, address indexed _from, Transaction[] _transactions);
    event FundsDistributed(address indexed by, uint256 fundsDistributed);
    event FundsWithdrawn(address indexed by, uint256 fundsWithdrawn);
    event Matured(uint256 indexed classId, uint256 indexed nonceId);
    event Defaulted(uint256 indexed classId, uint256 indexed nonceId, string reason);

    string public name;
    string public symbol;
    address public issuer;
    mapping(uint256 => mapping(uint256 => mapping(address => uint256))) private _balances;
    mapping(uint256 => mapping(uint256 => uint256)) private _supply;
    mapping(uint256 => mapping(uint256 => uint256)) private _redeemed;
    /// 0 outstanding, 1 matured, 2 defaulted.
    mapping(uint256 => mapping(uint256 => uint8)) public status;

    address[] private _holders;
    mapping(address => bool) private _known;
    mapping(address => uint256) public principalOf;
    uint256 public totalPrincipal;

    uint256 public totalFundsDistributed;
    mapping(address => uint256) public fundsEntitlement;
    mapping(address => uint256) public withdrawnFundsOf;

    modifier onlyIssuer() {
        require(msg.sender == issuer, "not the issuer");
        _;
    }

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
        issuer = msg.sender;
    }

    function balanceOf(address account, uint256 classId, uint256 nonceId) external view returns (uint256) {
        return _balances[classId][nonceId][account];
    }

    function totalSupply(uint256 classId, uint256 nonceId) external view returns (uint256) {
        return _supply[classId][nonceId];
    }

    function redeemedSupply(uint256 classId, uint256 nonceId) external view returns (uint256) {
        return _redeemed[classId][nonceId];
    }

    function issue(address to, Transaction[] calldata txs) external onlyIssuer {
        for (uint256 i = 0; i < txs.length; i++) {
            require(status[txs[i].classId][txs[i].nonceId] == 0, "tranche closed");
            _balances[txs[i].classId][txs[i].nonceId][to] += txs[i]._amount;
            _supply[txs[i].classId][txs[i].nonceId] += txs[i]._amount;
            _principal(to, int256(txs[i]._amount));
        }
        emit Issue(msg.sender, to, txs);
    }

    function transferFrom(address from, address to, Transaction[] calldata txs) external {
        require(msg.sender == from || msg.sender == issuer, "not allowed");
        for (uint256 i = 0; i < txs.length; i++) {
            uint256 c = txs[i].classId;
            uint256 n = txs[i].nonceId;
            require(_balances[c][n][from] >= txs[i]._amount, "balance too low");
            _balances[c][n][from] -= txs[i]._amount;
            _balances[c][n][to] += txs[i]._amount;
            _principal(from, -int256(txs[i]._amount));
            _principal(to, int256(txs[i]._amount));
        }
        emit Transfer(msg.sender, from, to, txs);
    }

    function redeem(address from, Transaction[] calldata txs) external {
        require(msg.sender == from || msg.sender == issuer, "not allowed");
        for (uint256 i = 0; i < txs.length; i++) {
            uint256 c = txs[i].classId;
            uint256 n = txs[i].nonceId;
            require(status[c][n] == 1, "not matured");
            require(_balances[c][n][from] >= txs[i]._amount, "balance too low");
            _balances[c][n][from] -= txs[i]._amount;
            _supply[c][n] -= txs[i]._amount;
            _redeemed[c][n] += txs[i]._amount;
            _principal(from, -int256(txs[i]._amount));
        }
        emit Redeem(msg.sender, from, txs);
    }

    function mature(uint256 classId, uint256 nonceId) external onlyIssuer {
        require(status[classId][nonceId] == 0, "not outstanding");
        status[classId][nonceId] = 1;
        emit Matured(classId, nonceId);
    }

    function declareDefault(uint256 classId, uint256 nonceId, string calldata reason) external onlyIssuer {
        require(status[classId][nonceId] == 0, "not outstanding");
        status[classId][nonceId] = 2;
        emit Defaulted(classId, nonceId, reason);
    }

    function distributeFunds(uint256 amount) external onlyIssuer {
        require(totalPrincipal > 0, "nothing outstanding");
        for (uint256 i = 0; i < _holders.length; i++) {
            address h = _holders[i];
            fundsEntitlement[h] += amount * principalOf[h] / totalPrincipal;
        }
        totalFundsDistributed += amount;
        emit FundsDistributed(msg.sender, amount);
    }

    function withdrawFunds() external {
        uint256 amount = fundsEntitlement[msg.sender] - withdrawnFundsOf[msg.sender];
        require(amount > 0, "nothing to withdraw");
        withdrawnFundsOf[msg.sender] += amount;
        emit FundsWithdrawn(msg.sender, amount);
    }

    function _principal(address account, int256 change) internal {
        if (!_known[account]) {
            _known[account] = true;
            _holders.push(account);
        }
        principalOf[account] = uint256(int256(principalOf[account]) + change);
        totalPrincipal = uint256(int256(totalPrincipal) + change);
    }
}
