// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {DepositCollectorBase} from "./IDepositCollector.sol";
import {Eip3009Token} from "./Eip3009Token.sol";

/// @title Erc3009DepositCollector
/// @notice x402kit's ERC-3009 deposit collector for the `batch-settlement` scheme, written from the scheme's
/// published ABI and encodings (not derived from the reference source). The payer signs
/// `ReceiveWithAuthorization(from = payer, to = this collector, nonce = keccak256(abi.encode(channelId, salt)))`;
/// the collector redeems it and forwards the tokens to the settlement contract.
/// @dev `collectorData` is `abi.encode(uint256 validAfter, uint256 validBefore, uint256 salt, bytes signature)`.
/// Binding the channel id into the nonce means a leaked authorization can only ever fund the channel it was
/// signed for.
contract Erc3009DepositCollector is DepositCollectorBase {
    using SafeERC20 for IERC20;

    constructor(address settlement) DepositCollectorBase(settlement) {}

    function collect(address payer, address token, uint256 amount, bytes32 channelId, bytes calldata collectorData)
        external
        onlySettlement
    {
        (uint256 validAfter, uint256 validBefore, uint256 salt, bytes memory signature) =
            abi.decode(collectorData, (uint256, uint256, uint256, bytes));
        bytes32 nonce = keccak256(abi.encode(channelId, salt));
        // Typed as the devnet's EIP-3009 token only for its ABI: the call is the `bytes signature` overload (so
        // ERC-1271 payers work), which every FiatToken v2.2-like token has.
        Eip3009Token(token).receiveWithAuthorization(
            payer, address(this), amount, validAfter, validBefore, nonce, signature
        );
        IERC20(token).safeTransfer(msg.sender, amount);
    }
}
