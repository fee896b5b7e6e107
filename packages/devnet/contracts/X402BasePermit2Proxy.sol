// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ISignatureTransfer} from "./ISignatureTransfer.sol";

/// @notice EIP-2612 `permit` as the proxies call it on the token.
interface IERC20PermitMinimal {
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;
}

/// @title x402BasePermit2Proxy
/// @notice Shared logic of x402kit's Permit2 proxies: argument checks, the Permit2 witness transfer and the
/// optional EIP-2612 permit that approves Permit2 first. Written for x402kit's devnet from the x402 protocol's
/// published ABI and behaviour (custom errors, check order, events); it is not derived from the reference source.
/// @dev No owner, no upgrade, never holds tokens. `PERMIT2` is an immutable, so the deployed code can be copied
/// to another address and still point at Permit2.
abstract contract x402BasePermit2Proxy is ReentrancyGuardTransient {
    /// EIP-2612 permit arguments carried by `settleWithPermit`.
    struct EIP2612Permit {
        uint256 value;
        uint256 deadline;
        bytes32 r;
        bytes32 s;
        uint8 v;
    }

    /// The canonical Permit2 the proxy transfers through.
    ISignatureTransfer public immutable PERMIT2;

    error InvalidPermit2Address();
    error InvalidAmount();
    error InvalidOwner();
    error InvalidDestination();
    error PaymentTooEarly();
    error Permit2612AmountMismatch();

    /// Emitted by each proxy's `settle` and `settleWithPermit` once the transfer went through.
    event Settled();
    event SettledWithPermit();

    event EIP2612PermitFailedWithReason(address indexed token, address indexed owner, string reason);
    event EIP2612PermitFailedWithPanic(address indexed token, address indexed owner, uint256 errorCode);
    event EIP2612PermitFailedWithData(address indexed token, address indexed owner, bytes data);

    constructor(address permit2) {
        if (permit2 == address(0)) revert InvalidPermit2Address();
        PERMIT2 = ISignatureTransfer(permit2);
    }

    /// @dev Checks amount, owner, destination and the witness's `validAfter`, then asks Permit2 to move
    /// `amount` from `owner` to `to` against the owner's signature over the permit and the witness.
    function _settle(
        ISignatureTransfer.PermitTransferFrom calldata permit,
        uint256 amount,
        address owner,
        address to,
        uint256 validAfter,
        bytes32 witnessHash,
        string memory witnessTypeString,
        bytes calldata signature
    ) internal {
        if (amount == 0) revert InvalidAmount();
        if (owner == address(0)) revert InvalidOwner();
        if (to == address(0)) revert InvalidDestination();
        if (block.timestamp < validAfter) revert PaymentTooEarly();
        PERMIT2.permitWitnessTransferFrom(
            permit,
            ISignatureTransfer.SignatureTransferDetails({to: to, requestedAmount: amount}),
            owner,
            witnessHash,
            witnessTypeString,
            signature
        );
    }

    /// @dev Runs the permitted token's EIP-2612 `permit(owner, PERMIT2, value, ...)`, whose value must be the
    /// permitted amount; a failing permit (for example one a front-runner already used) only emits an event, so
    /// settlement can still go through on the allowance.
    function _executePermit(
        ISignatureTransfer.PermitTransferFrom calldata permit,
        address owner,
        EIP2612Permit calldata permit2612
    ) internal {
        if (permit2612.value != permit.permitted.amount) revert Permit2612AmountMismatch();
        address token = permit.permitted.token;
        try IERC20PermitMinimal(token).permit(
            owner, address(PERMIT2), permit2612.value, permit2612.deadline, permit2612.v, permit2612.r, permit2612.s
        ) {} catch Error(string memory reason) {
            emit EIP2612PermitFailedWithReason(token, owner, reason);
        } catch Panic(uint256 errorCode) {
            emit EIP2612PermitFailedWithPanic(token, owner, errorCode);
        } catch (bytes memory data) {
            emit EIP2612PermitFailedWithData(token, owner, data);
        }
    }
}
