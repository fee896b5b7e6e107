// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SmartWallet} from "./SmartWallet.sol";

/// @title SmartWalletFactory
/// @notice Deploys `SmartWallet(owner)` with CREATE2 (salt as given), so a wallet's address is known before it
/// exists (counterfactual, ERC-6492): `getAddress(owner, salt)`, then `createAccount(owner, salt)` on first use.
/// `createAccount` returns the existing wallet if it is already deployed.
contract SmartWalletFactory {
    event AccountCreated(address indexed account, address indexed owner, uint256 salt);

    function createAccount(address owner, uint256 salt) external returns (address account) {
        account = getAddress(owner, salt);
        if (account.code.length > 0) return account;
        SmartWallet created = new SmartWallet{salt: bytes32(salt)}(owner);
        emit AccountCreated(address(created), owner, salt);
        return address(created);
    }

    function getAddress(address owner, uint256 salt) public view returns (address) {
        bytes32 initCodeHash = keccak256(abi.encodePacked(type(SmartWallet).creationCode, abi.encode(owner)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), bytes32(salt), initCodeHash)))));
    }
}
