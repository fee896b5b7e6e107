// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title SmartWallet
/// @notice A minimal ERC-1271 smart account for tests: one owner EOA; `isValidSignature(hash, sig)` returns
/// 0x1626ba7e when `sig` is the owner's ECDSA signature of `hash` itself (no extra wrapping), so the owner signs
/// exactly the EIP-712 digest an EOA would. The owner can make the wallet call anything (`execute`).
contract SmartWallet {
    bytes4 internal constant MAGIC_VALUE = 0x1626ba7e;

    address public immutable owner;

    error NotOwner();
    error CallFailed(bytes returnData);

    constructor(address owner_) {
        owner = owner_;
    }

    receive() external payable {}

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(hash, signature);
        return error == ECDSA.RecoverError.NoError && signer == owner ? MAGIC_VALUE : bytes4(0xffffffff);
    }

    /// @notice Calls `to` with `value` and `data` from the wallet (for example `token.approve(PERMIT2, max)`).
    function execute(address to, uint256 value, bytes calldata data) external returns (bytes memory) {
        if (msg.sender != owner) revert NotOwner();
        (bool ok, bytes memory result) = to.call{value: value}(data);
        if (!ok) revert CallFailed(result);
        return result;
    }
}
