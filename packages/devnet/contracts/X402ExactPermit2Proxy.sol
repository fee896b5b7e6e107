// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ISignatureTransfer} from "./ISignatureTransfer.sol";
import {x402BasePermit2Proxy} from "./X402BasePermit2Proxy.sol";

/// @title x402ExactPermit2Proxy
/// @notice x402 `exact` over Permit2: moves exactly `permit.permitted.amount` from `owner` to `witness.to`.
/// The owner signs Permit2's `PermitWitnessTransferFrom` with this proxy as `spender` and the witness
/// `Witness(address to,uint256 validAfter)`, so anyone may submit it but nobody can change the recipient.
/// @dev x402kit's own implementation of the published ABI (selectors `settle` 0x13cd3b53,
/// `settleWithPermit` 0xfa340378), placed at 0x402085c248EeA27D92E8b30b2C58ed07f9E20001 on devnets.
contract x402ExactPermit2Proxy is x402BasePermit2Proxy {
    struct Witness {
        address to;
        uint256 validAfter;
    }

    string public constant WITNESS_TYPE_STRING =
        "Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,uint256 validAfter)";

    bytes32 public constant WITNESS_TYPEHASH = keccak256("Witness(address to,uint256 validAfter)");

    constructor(address permit2) x402BasePermit2Proxy(permit2) {}

    function settle(
        ISignatureTransfer.PermitTransferFrom calldata permit,
        address owner,
        Witness calldata witness,
        bytes calldata signature
    ) external nonReentrant {
        _settleExact(permit, owner, witness, signature);
        emit Settled();
    }

    function settleWithPermit(
        EIP2612Permit calldata permit2612,
        ISignatureTransfer.PermitTransferFrom calldata permit,
        address owner,
        Witness calldata witness,
        bytes calldata signature
    ) external nonReentrant {
        _executePermit(permit, owner, permit2612);
        _settleExact(permit, owner, witness, signature);
        emit SettledWithPermit();
    }

    function _settleExact(
        ISignatureTransfer.PermitTransferFrom calldata permit,
        address owner,
        Witness calldata witness,
        bytes calldata signature
    ) private {
        bytes32 witnessHash = keccak256(abi.encode(WITNESS_TYPEHASH, witness.to, witness.validAfter));
        _settle(
            permit,
            permit.permitted.amount,
            owner,
            witness.to,
            witness.validAfter,
            witnessHash,
            WITNESS_TYPE_STRING,
            signature
        );
    }
}
