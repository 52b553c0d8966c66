// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title DemoEquityToken
/// @notice Shares with the equity events registrar decodes, for its demo and tests:
/// - ERC-5805 voting power: `DelegateChanged`, `DelegateVotesChanged` (OpenZeppelin's `Votes`);
/// - OpenZeppelin Governor's `VoteCast` (the contract runs its own proposals: `propose` records
///   the voting power as of the block before, `castVote` counts it);
/// - record-date snapshots: OpenZeppelin `ERC20Snapshot`'s `Snapshot(uint256 id)`;
/// - ERC-1726 dividends: `DividendsDistributed`, `DividendWithdrawn`;
/// - corporate actions, for which no standard exists, with this contract's own events:
///   `StockSplit(actionId, numerator, denominator)`: every holder's balance is multiplied by
///   numerator / denominator (rounded down), the new shares minted with one `Transfer` each;
///   `Buyback(actionId, seller, amount, price)`: the issuer buys `amount` from `seller` at `price`
///   per share (unit of account) and cancels them (a `Transfer` to the zero address).
contract DemoEquityToken {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate);
    event DelegateVotesChanged(address indexed delegate, uint256 previousVotes, uint256 newVotes);
    event VoteCast(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason);
    event Snapshot(uint256 id);
    event DividendsDistributed(address indexed from, uint256 weiAmount);
    event DividendWithdrawn(address indexed to, uint256 weiAmount);
    event StockSplit(uint256 indexed actionId, uint256 numerator, uint256 denominator);
    event Buyback(uint256 indexed actionId, address indexed seller, uint256 amount, uint256 price);

    string public name;
    string public symbol;
    uint8 public constant decimals = 0;
    address public issuer;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    address[] private _holders;
    mapping(address => bool) private _known;

    // ERC-5805
    mapping(address => address) public delegates;
    struct Checkpoint {
        uint64 fromBlock;
        uint256 votes;
    }
    mapping(address => Checkpoint[]) private _checkpoints;

    // Snapshots: balances as of the block a snapshot was taken in (this demo takes each in its
    // own block, so the end of that block is the snapshot).
    uint256 public currentSnapshotId;
    mapping(uint256 => uint256) public snapshotBlock;

    // Proposals: 0 against, 1 for, 2 abstain.
    struct Proposal {
        uint256 snapshot;
        uint256[3] votes;
        mapping(address => bool) voted;
    }
    mapping(uint256 => Proposal) private _proposals;
    uint256 public proposalCount;

    // ERC-1726
    uint256 public totalDividendsDistributed;
    mapping(address => uint256) public withdrawnDividends;
    mapping(address => uint256) public dividendEntitlement;

    uint256 public corporateActionCount;

    modifier onlyIssuer() {
        require(msg.sender == issuer, "not the issuer");
        _;
    }

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
        issuer = msg.sender;
    }

    // ---- ERC-20 ----

    function mint(address to, uint256 amount) external onlyIssuer {
        _move(address(0), to, amount);
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return true;
    }

    // ---- ERC-5805 ----

    function delegate(address delegatee) external {
        address previous = delegates[msg.sender];
        delegates[msg.sender] = delegatee;
        emit DelegateChanged(msg.sender, previous, delegatee);
        _moveVotes(previous, delegatee, balanceOf[msg.sender]);
    }

    function getVotes(address account) public view returns (uint256) {
        Checkpoint[] storage c = _checkpoints[account];
        return c.length == 0 ? 0 : c[c.length - 1].votes;
    }

    function getPastVotes(address account, uint256 blockNumber) public view returns (uint256) {
        require(blockNumber < block.number, "future lookup");
        Checkpoint[] storage c = _checkpoints[account];
        for (uint256 i = c.length; i > 0; i--) {
            if (c[i - 1].fromBlock <= blockNumber) return c[i - 1].votes;
        }
        return 0;
    }

    // ---- proposals and votes ----

    function propose() external onlyIssuer returns (uint256 id) {
        id = ++proposalCount;
        _proposals[id].snapshot = block.number - 1;
    }

    function castVote(uint256 proposalId, uint8 support, string calldata reason) external returns (uint256 weight) {
        Proposal storage p = _proposals[proposalId];
        require(proposalId > 0 && proposalId <= proposalCount, "no such proposal");
        require(support <= 2, "support is 0, 1 or 2");
        require(!p.voted[msg.sender], "already voted");
        p.voted[msg.sender] = true;
        weight = getPastVotes(msg.sender, p.snapshot);
        p.votes[support] += weight;
        emit VoteCast(msg.sender, proposalId, support, weight, reason);
    }

    function proposalVotes(uint256 proposalId) external view returns (uint256 against, uint256 forVotes, uint256 abstain) {
        Proposal storage p = _proposals[proposalId];
        return (p.votes[0], p.votes[1], p.votes[2]);
    }

    // ---- snapshots ----

    function snapshot() external onlyIssuer returns (uint256 id) {
        id = ++currentSnapshotId;
        snapshotBlock[id] = block.number;
        emit Snapshot(id);
    }

    // ---- ERC-1726 dividends (entitlements pro rata at distribution) ----

    function distributeDividends(uint256 amount) external onlyIssuer {
        require(totalSupply > 0, "no shares");
        for (uint256 i = 0; i < _holders.length; i++) {
            address h = _holders[i];
            dividendEntitlement[h] += amount * balanceOf[h] / totalSupply;
        }
        totalDividendsDistributed += amount;
        emit DividendsDistributed(msg.sender, amount);
    }

    function withdrawDividend() external {
        uint256 amount = dividendEntitlement[msg.sender] - withdrawnDividends[msg.sender];
        require(amount > 0, "nothing to withdraw");
        withdrawnDividends[msg.sender] += amount;
        emit DividendWithdrawn(msg.sender, amount);
    }

    // ---- corporate actions ----

    function split(uint256 numerator, uint256 denominator) external onlyIssuer {
        require(numerator > denominator && denominator > 0, "a split grows the share count");
        uint256 id = ++corporateActionCount;
        emit StockSplit(id, numerator, denominator);
        for (uint256 i = 0; i < _holders.length; i++) {
            address h = _holders[i];
            uint256 extra = balanceOf[h] * numerator / denominator - balanceOf[h];
            if (extra > 0) _move(address(0), h, extra);
        }
    }

    function buyback(address seller, uint256 amount, uint256 price) external onlyIssuer {
        uint256 id = ++corporateActionCount;
        emit Buyback(id, seller, amount, price);
        _move(seller, address(0), amount);
    }

    // ---- internals ----

    function _move(address from, address to, uint256 amount) internal {
        if (from == address(0)) {
            totalSupply += amount;
        } else {
            require(balanceOf[from] >= amount, "balance too low");
            balanceOf[from] -= amount;
        }
        if (to == address(0)) {
            totalSupply -= amount;
        } else {
            balanceOf[to] += amount;
            if (!_known[to]) {
                _known[to] = true;
                _holders.push(to);
            }
        }
        emit Transfer(from, to, amount);
        _moveVotes(delegates[from], delegates[to], amount);
    }

    function _moveVotes(address from, address to, uint256 amount) internal {
        if (from == to || amount == 0) return;
        if (from != address(0)) _writeCheckpoint(from, getVotes(from) - amount);
        if (to != address(0)) _writeCheckpoint(to, getVotes(to) + amount);
    }

    function _writeCheckpoint(address account, uint256 votes) internal {
        uint256 previous = getVotes(account);
        Checkpoint[] storage c = _checkpoints[account];
        if (c.length > 0 && c[c.length - 1].fromBlock == block.number) {
            c[c.length - 1].votes = votes;
        } else {
            c.push(Checkpoint(uint64(block.number), votes));
        }
        emit DelegateVotesChanged(account, previous, votes);
    }
}
