// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title GasFreeAccount
/// @notice x402kit's stand-in for a user's GasFree account: a contract that holds the user's tokens and moves
/// them only when its controller (the GasFreeController that deployed it) says so. The controller checks the
/// user's signature; this account trusts the controller and nothing else.
/// @dev Deployed by the controller with CREATE2 (salt = the user's address left-padded to 32 bytes), so its address
/// is known before it exists and tokens may be sent to it in advance. Real GasFree accounts are beacon proxies
/// created with TRON's 0x41 CREATE2 prefix; this one is a plain contract at an ordinary (0xff) CREATE2 address.
contract GasFreeAccount {
    /// The controller that deployed this account and alone may move its tokens.
    address public immutable controller;
    /// The user (EOA) this account belongs to.
    address public immutable user;

    error OnlyController();
    error TokenTransferFailed(address token, address to, uint256 amount);

    constructor(address user_) {
        controller = msg.sender;
        user = user_;
    }

    /// @notice Sends `amount` of `token` to `to`; accepts tokens that return `true` and tokens that return
    /// nothing (USDT on TRON and Ethereum).
    function transferToken(address token, address to, uint256 amount) external {
        if (msg.sender != controller) revert OnlyController();
        (bool ok, bytes memory data) = token.call(abi.encodeWithSelector(0xa9059cbb, to, amount));
        if (!ok || (data.length != 0 && (data.length < 32 || !abi.decode(data, (bool)))) || token.code.length == 0) {
            revert TokenTransferFailed(token, to, amount);
        }
    }
}
