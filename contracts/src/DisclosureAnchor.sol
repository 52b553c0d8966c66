// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Anchors the roots of registrar's disclosure log: an append-only Merkle log (RFC 6962 shape).
/// Each anchor stores (tree size, root); sizes only grow, and a size is anchored at most once, so
/// the chain holds one root per size forever. Consistency between two anchored roots is proven
/// off chain with an RFC 9162 consistency proof; anyone can check both roots here.
contract DisclosureAnchor {
    event RootAnchored(uint256 indexed sequence, uint64 indexed treeSize, bytes32 root);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    address public owner;
    uint64 public latestSize;
    bytes32 public latestRoot;
    uint256 public anchorCount;
    mapping(uint64 => bytes32) public rootAt;

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    function anchor(uint64 treeSize, bytes32 root) external {
        require(msg.sender == owner, "not owner");
        require(treeSize > latestSize, "size must grow");
        require(root != bytes32(0), "empty root");
        rootAt[treeSize] = root;
        latestSize = treeSize;
        latestRoot = root;
        emit RootAnchored(anchorCount, treeSize, root);
        anchorCount += 1;
    }

    function transferOwnership(address newOwner) external {
        require(msg.sender == owner, "not owner");
        require(newOwner != address(0), "zero owner");
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
