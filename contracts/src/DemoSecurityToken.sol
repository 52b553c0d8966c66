// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title DemoSecurityToken
/// @notice An ERC-3643 (T-REX) style permissioned token for registrar's demo and tests.
/// It emits the same events, with the same signatures and the same order, as T-REX v4's
/// `Token.sol` for mint, burn, transfer, partial and address freezes, pause, forced transfer
/// and wallet recovery. Identity and compliance checks are left out: the demo registers no
/// identities, so the agent stands in for the identity registry.
contract DemoSecurityToken {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event AddressFrozen(address indexed _userAddress, bool indexed _isFrozen, address indexed _owner);
    event TokensFrozen(address indexed _userAddress, uint256 _amount);
    event TokensUnfrozen(address indexed _userAddress, uint256 _amount);
    event Paused(address _userAddress);
    event Unpaused(address _userAddress);
    event RecoverySuccess(address indexed _lostWallet, address indexed _newWallet, address indexed _investorOnchainID);
    event AgentAdded(address indexed _agent);
    event AgentRemoved(address indexed _agent);
    // ERC-1643 document management, and ERC-1400's older `Document` event.
    event DocumentUpdated(bytes32 indexed _name, string _uri, bytes32 _documentHash);
    event DocumentRemoved(bytes32 indexed _name, string _uri, bytes32 _documentHash);
    event Document(bytes32 indexed _name, string _uri, bytes32 _documentHash);

    struct Doc {
        string uri;
        bytes32 documentHash;
        uint256 lastModified;
    }

    string public name;
    string public symbol;
    uint8 public immutable decimals;
    address public owner;
    uint256 public totalSupply;
    bool public paused;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public isAgent;
    mapping(address => bool) private _frozen;
    mapping(address => uint256) private _frozenTokens;
    mapping(bytes32 => Doc) private _documents;

    modifier onlyOwner() {
        require(msg.sender == owner, "not owner");
        _;
    }

    modifier onlyAgent() {
        require(isAgent[msg.sender], "not agent");
        _;
    }

    modifier whenNotPaused() {
        require(!paused, "Pausable: paused");
        _;
    }

    constructor(string memory _name, string memory _symbol, uint8 _decimals) {
        name = _name;
        symbol = _symbol;
        decimals = _decimals;
        owner = msg.sender;
        isAgent[msg.sender] = true;
        emit AgentAdded(msg.sender);
    }

    function addAgent(address _agent) external onlyOwner {
        isAgent[_agent] = true;
        emit AgentAdded(_agent);
    }

    function removeAgent(address _agent) external onlyOwner {
        isAgent[_agent] = false;
        emit AgentRemoved(_agent);
    }

    function isFrozen(address _userAddress) external view returns (bool) {
        return _frozen[_userAddress];
    }

    function getFrozenTokens(address _userAddress) external view returns (uint256) {
        return _frozenTokens[_userAddress];
    }

    function pause() external onlyAgent {
        require(!paused, "Pausable: paused");
        paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external onlyAgent {
        require(paused, "Pausable: not paused");
        paused = false;
        emit Unpaused(msg.sender);
    }

    function approve(address _spender, uint256 _amount) external returns (bool) {
        allowance[msg.sender][_spender] = _amount;
        emit Approval(msg.sender, _spender, _amount);
        return true;
    }

    function transfer(address _to, uint256 _amount) public whenNotPaused returns (bool) {
        require(!_frozen[_to] && !_frozen[msg.sender], "wallet is frozen");
        require(_amount <= balanceOf[msg.sender] - _frozenTokens[msg.sender], "Insufficient Balance");
        _transfer(msg.sender, _to, _amount);
        return true;
    }

    function transferFrom(address _from, address _to, uint256 _amount) external whenNotPaused returns (bool) {
        require(!_frozen[_to] && !_frozen[_from], "wallet is frozen");
        require(_amount <= balanceOf[_from] - _frozenTokens[_from], "Insufficient Balance");
        allowance[_from][msg.sender] -= _amount;
        emit Approval(_from, msg.sender, allowance[_from][msg.sender]);
        _transfer(_from, _to, _amount);
        return true;
    }

    function batchTransfer(address[] calldata _toList, uint256[] calldata _amounts) external {
        for (uint256 i = 0; i < _toList.length; i++) {
            transfer(_toList[i], _amounts[i]);
        }
    }

    function mint(address _to, uint256 _amount) public onlyAgent {
        _mint(_to, _amount);
    }

    function batchMint(address[] calldata _toList, uint256[] calldata _amounts) external onlyAgent {
        for (uint256 i = 0; i < _toList.length; i++) {
            _mint(_toList[i], _amounts[i]);
        }
    }

    function burn(address _userAddress, uint256 _amount) public onlyAgent {
        require(balanceOf[_userAddress] >= _amount, "cannot burn more than balance");
        uint256 freeBalance = balanceOf[_userAddress] - _frozenTokens[_userAddress];
        if (_amount > freeBalance) {
            uint256 tokensToUnfreeze = _amount - freeBalance;
            _frozenTokens[_userAddress] -= tokensToUnfreeze;
            emit TokensUnfrozen(_userAddress, tokensToUnfreeze);
        }
        _burn(_userAddress, _amount);
    }

    function forcedTransfer(address _from, address _to, uint256 _amount) public onlyAgent returns (bool) {
        require(balanceOf[_from] >= _amount, "sender balance too low");
        uint256 freeBalance = balanceOf[_from] - _frozenTokens[_from];
        if (_amount > freeBalance) {
            uint256 tokensToUnfreeze = _amount - freeBalance;
            _frozenTokens[_from] -= tokensToUnfreeze;
            emit TokensUnfrozen(_from, tokensToUnfreeze);
        }
        _transfer(_from, _to, _amount);
        return true;
    }

    function setAddressFrozen(address _userAddress, bool _freeze) public onlyAgent {
        _frozen[_userAddress] = _freeze;
        emit AddressFrozen(_userAddress, _freeze, msg.sender);
    }

    function freezePartialTokens(address _userAddress, uint256 _amount) public onlyAgent {
        uint256 balance = balanceOf[_userAddress];
        require(balance >= _frozenTokens[_userAddress] + _amount, "Amount exceeds available balance");
        _frozenTokens[_userAddress] += _amount;
        emit TokensFrozen(_userAddress, _amount);
    }

    function unfreezePartialTokens(address _userAddress, uint256 _amount) public onlyAgent {
        require(_frozenTokens[_userAddress] >= _amount, "Amount should be less than or equal to frozen tokens");
        _frozenTokens[_userAddress] -= _amount;
        emit TokensUnfrozen(_userAddress, _amount);
    }

    /// @notice Moves a lost wallet's tokens, frozen amount and frozen flag to a new wallet, in the
    /// order T-REX does: forced transfer, partial freeze, address freeze, then `RecoverySuccess`.
    function recoveryAddress(address _lostWallet, address _newWallet, address _investorOnchainID)
        external
        onlyAgent
        returns (bool)
    {
        require(balanceOf[_lostWallet] != 0, "no tokens to recover");
        uint256 investorTokens = balanceOf[_lostWallet];
        uint256 frozenTokens = _frozenTokens[_lostWallet];
        forcedTransfer(_lostWallet, _newWallet, investorTokens);
        if (frozenTokens > 0) {
            freezePartialTokens(_newWallet, frozenTokens);
        }
        if (_frozen[_lostWallet]) {
            setAddressFrozen(_newWallet, true);
        }
        emit RecoverySuccess(_lostWallet, _newWallet, _investorOnchainID);
        return true;
    }

    function _transfer(address _from, address _to, uint256 _amount) internal {
        require(_to != address(0), "transfer to the zero address");
        balanceOf[_from] -= _amount;
        balanceOf[_to] += _amount;
        emit Transfer(_from, _to, _amount);
    }

    function _mint(address _to, uint256 _amount) internal {
        require(_to != address(0), "mint to the zero address");
        totalSupply += _amount;
        balanceOf[_to] += _amount;
        emit Transfer(address(0), _to, _amount);
    }

    /// ERC-1643.
    function setDocument(bytes32 _name, string calldata _uri, bytes32 _documentHash) external onlyAgent {
        _documents[_name] = Doc(_uri, _documentHash, block.timestamp);
        emit DocumentUpdated(_name, _uri, _documentHash);
    }

    function removeDocument(bytes32 _name) external onlyAgent {
        Doc memory d = _documents[_name];
        require(d.lastModified != 0, "no such document");
        delete _documents[_name];
        emit DocumentRemoved(_name, d.uri, d.documentHash);
    }

    function getDocument(bytes32 _name) external view returns (string memory, bytes32, uint256) {
        Doc memory d = _documents[_name];
        return (d.uri, d.documentHash, d.lastModified);
    }

    /// The ERC-1400 draft's `setDocument`, as implementations before ERC-1643 emit it.
    function setDocumentLegacy(bytes32 _name, string calldata _uri, bytes32 _documentHash) external onlyAgent {
        _documents[_name] = Doc(_uri, _documentHash, block.timestamp);
        emit Document(_name, _uri, _documentHash);
    }

    function _burn(address _from, uint256 _amount) internal {
        balanceOf[_from] -= _amount;
        totalSupply -= _amount;
        emit Transfer(_from, address(0), _amount);
    }
}
