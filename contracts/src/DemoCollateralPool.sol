// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title DemoCollateralPool
/// @notice A multi-asset collateral pool for registrar's demo and tests: an ERC-4626-style vault
/// whose shares are an ERC-20, holding its underlying unit of account (deposits) and other assets
/// the manager adds, removes and revalues. Asynchronous subscriptions and redemptions follow
/// ERC-7540 (`requestDeposit`/`requestRedeem`, settled by the manager).
///
/// No standard describes a pool's composition, so this contract's events do (registrar decodes
/// them; `values` are in the unit of account):
/// - `AssetAdded(asset, amount, value)`: `amount` of `asset` enters the pool, bought with `value`
///   of the underlying;
/// - `AssetRemoved(asset, amount, value)`: `amount` leaves, sold for `value` of the underlying;
/// - `AssetRevalued(asset, value)`: the pool's whole holding of `asset` is now worth `value`.
/// Deposits and withdrawals of the underlying are ERC-4626 `Deposit`/`Withdraw` (valued 1:1).
/// The share value is `totalAssets() / totalSupply()`.
contract DemoCollateralPool {
    // ERC-20 (the shares)
    event Transfer(address indexed from, address indexed to, uint256 value);
    // ERC-4626
    event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares);
    event Withdraw(
        address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares
    );
    // ERC-7540
    event DepositRequest(
        address indexed controller, address indexed owner, uint256 indexed requestId, address sender, uint256 assets
    );
    event RedeemRequest(
        address indexed controller, address indexed owner, uint256 indexed requestId, address sender, uint256 shares
    );
    // The pool's composition (this contract's own events).
    event AssetAdded(address indexed asset, uint256 amount, uint256 value);
    event AssetRemoved(address indexed asset, uint256 amount, uint256 value);
    event AssetRevalued(address indexed asset, uint256 value);

    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    address public manager;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;

    /// Underlying held (deposits less withdrawals), valued 1:1.
    uint256 public underlying;
    mapping(address => uint256) public assetAmount;
    mapping(address => uint256) public assetValue;
    address[] private _assets;
    uint256 public otherValue;

    struct Request {
        address controller;
        address owner;
        uint256 amount;
        bool redeem;
        bool settled;
    }
    mapping(uint256 => Request) public requests;
    uint256 public nextRequestId = 1;

    modifier onlyManager() {
        require(msg.sender == manager, "not the manager");
        _;
    }

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
        manager = msg.sender;
    }

    function assets() external view returns (address[] memory) {
        return _assets;
    }

    function totalAssets() public view returns (uint256) {
        return underlying + otherValue;
    }

    function convertToShares(uint256 amount) public view returns (uint256) {
        uint256 total = totalAssets();
        return totalSupply == 0 || total == 0 ? amount : amount * totalSupply / total;
    }

    function convertToAssets(uint256 shares) public view returns (uint256) {
        return totalSupply == 0 ? shares : shares * totalAssets() / totalSupply;
    }

    // ---- ERC-4626 ----

    function deposit(uint256 amount, address receiver) public returns (uint256 shares) {
        shares = convertToShares(amount);
        underlying += amount;
        _mint(receiver, shares);
        emit Deposit(msg.sender, receiver, amount, shares);
    }

    function redeem(uint256 shares, address receiver, address owner) public returns (uint256 amount) {
        require(msg.sender == owner || msg.sender == manager, "not the owner");
        amount = convertToAssets(shares);
        require(amount <= underlying, "not enough underlying: the manager must sell assets");
        _burn(owner, shares);
        underlying -= amount;
        emit Withdraw(msg.sender, receiver, owner, amount, shares);
    }

    // ---- ERC-7540: requests, settled by the manager ----

    function requestDeposit(uint256 amount, address controller, address owner) external returns (uint256 id) {
        id = nextRequestId++;
        requests[id] = Request(controller, owner, amount, false, false);
        emit DepositRequest(controller, owner, id, msg.sender, amount);
    }

    function requestRedeem(uint256 shares, address controller, address owner) external returns (uint256 id) {
        require(balanceOf[owner] >= shares, "not enough shares");
        id = nextRequestId++;
        requests[id] = Request(controller, owner, shares, true, false);
        emit RedeemRequest(controller, owner, id, msg.sender, shares);
    }

    /// Settles a request at the current share value.
    function settle(uint256 id) external onlyManager {
        Request storage r = requests[id];
        require(!r.settled && r.amount > 0, "no open request");
        r.settled = true;
        if (r.redeem) {
            uint256 amount = convertToAssets(r.amount);
            require(amount <= underlying, "not enough underlying");
            _burn(r.owner, r.amount);
            underlying -= amount;
            emit Withdraw(msg.sender, r.controller, r.owner, amount, r.amount);
        } else {
            uint256 shares = convertToShares(r.amount);
            underlying += r.amount;
            _mint(r.controller, shares);
            emit Deposit(msg.sender, r.controller, r.amount, shares);
        }
    }

    // ---- composition ----

    function addAsset(address asset, uint256 amount, uint256 value) external onlyManager {
        require(asset != address(0), "asset zero");
        if (assetAmount[asset] == 0 && assetValue[asset] == 0) _assets.push(asset);
        require(value <= underlying, "buy with the underlying");
        underlying -= value;
        assetAmount[asset] += amount;
        assetValue[asset] += value;
        otherValue += value;
        emit AssetAdded(asset, amount, value);
    }

    function removeAsset(address asset, uint256 amount, uint256 value) external onlyManager {
        require(amount <= assetAmount[asset] && value <= assetValue[asset], "more than held");
        assetAmount[asset] -= amount;
        assetValue[asset] -= value;
        otherValue -= value;
        underlying += value;
        emit AssetRemoved(asset, amount, value);
    }

    function revalue(address asset, uint256 value) external onlyManager {
        otherValue = otherValue - assetValue[asset] + value;
        assetValue[asset] = value;
        emit AssetRevalued(asset, value);
    }

    // ---- shares ----

    function transfer(address to, uint256 shares) external returns (bool) {
        require(balanceOf[msg.sender] >= shares, "not enough shares");
        balanceOf[msg.sender] -= shares;
        balanceOf[to] += shares;
        emit Transfer(msg.sender, to, shares);
        return true;
    }

    function _mint(address to, uint256 shares) internal {
        totalSupply += shares;
        balanceOf[to] += shares;
        emit Transfer(address(0), to, shares);
    }

    function _burn(address from, uint256 shares) internal {
        require(balanceOf[from] >= shares, "not enough shares");
        balanceOf[from] -= shares;
        totalSupply -= shares;
        emit Transfer(from, address(0), shares);
    }
}
