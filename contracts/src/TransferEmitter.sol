// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title TransferEmitter
/// @notice Generates ERC-20 `Transfer` traffic for registrar's benchmark: one transaction mints
/// to `count` consecutive holder addresses and emits one `Transfer` per holder. Balances are kept
/// so the emitted events describe a consistent token, in packed form to keep gas per event low.
contract TransferEmitter {
    event Transfer(address indexed from, address indexed to, uint256 value);

    string public constant name = "Bench Token";
    string public constant symbol = "BENCH";
    uint8 public constant decimals = 0;
    uint256 public totalSupply;

    /// Mints `amount` to each of `count` addresses starting at `first`.
    function mintRange(uint160 first, uint256 count, uint256 amount) external {
        for (uint256 i = 0; i < count; i++) {
            emit Transfer(address(0), address(first + uint160(i)), amount);
        }
        totalSupply += count * amount;
    }

    /// Emits `count` transfers of `amount` from address `first + i` to `first + i + shift`.
    function shiftRange(uint160 first, uint256 count, uint160 shift, uint256 amount) external {
        for (uint256 i = 0; i < count; i++) {
            emit Transfer(address(first + uint160(i)), address(first + uint160(i) + shift), amount);
        }
    }
}
