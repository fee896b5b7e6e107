// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ISignatureTransfer
/// @notice The part of Permit2's public signature-transfer interface the x402 proxies call (written from
/// Permit2's published ABI: struct shapes and the `permitWitnessTransferFrom` selector 0x137c29fe).
interface ISignatureTransfer {
    struct TokenPermissions {
        address token;
        uint256 amount;
    }

    struct PermitTransferFrom {
        TokenPermissions permitted;
        uint256 nonce;
        uint256 deadline;
    }

    struct SignatureTransferDetails {
        address to;
        uint256 requestedAmount;
    }

    function permitWitnessTransferFrom(
        PermitTransferFrom calldata permit,
        SignatureTransferDetails calldata transferDetails,
        address owner,
        bytes32 witness,
        string calldata witnessTypeString,
        bytes calldata signature
    ) external;

    function DOMAIN_SEPARATOR() external view returns (bytes32);
}
