// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {DepositCollectorBase} from "./IDepositCollector.sol";
import {ISignatureTransfer} from "./ISignatureTransfer.sol";

/// @notice EIP-2612 `permit` as the collector calls it on the token (to approve Permit2 in the same transaction).
interface IErc2612Permit {
    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external;
}

/// @title Permit2DepositCollector
/// @notice x402kit's Permit2 deposit collector for the `batch-settlement` scheme, written from the scheme's
/// published ABI, witness type and encodings (not derived from the reference source). The payer signs a Permit2
/// `PermitWitnessTransferFrom` with spender = this collector and witness `DepositWitness(bytes32 channelId)`;
/// Permit2 moves the tokens straight from the payer to the settlement contract.
/// @dev `collectorData` is `abi.encode(uint256 nonce, uint256 deadline, bytes permit2Signature, bytes eip2612)`,
/// where `eip2612` is empty or `abi.encode(uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)`: a
/// best-effort EIP-2612 approval of Permit2 tried first (a failure is logged; the Permit2 transfer decides).
contract Permit2DepositCollector is DepositCollectorBase {
    /// The canonical Permit2 (an immutable, so copied runtime code keeps pointing at it).
    ISignatureTransfer public immutable PERMIT2;

    /// Witness part of the Permit2 type string; referenced structs in alphabetical order, as EIP-712 wants.
    string public constant DEPOSIT_WITNESS_TYPE_STRING =
        "DepositWitness witness)DepositWitness(bytes32 channelId)TokenPermissions(address token,uint256 amount)";

    bytes32 public constant DEPOSIT_WITNESS_TYPEHASH = keccak256("DepositWitness(bytes32 channelId)");

    error InvalidPermit2Address();
    error Permit2612AmountMismatch();

    event EIP2612PermitFailedWithReason(address indexed token, address indexed owner, string reason);
    event EIP2612PermitFailedWithPanic(address indexed token, address indexed owner, uint256 errorCode);
    event EIP2612PermitFailedWithData(address indexed token, address indexed owner, bytes data);

    constructor(address settlement, address permit2) DepositCollectorBase(settlement) {
        if (permit2 == address(0)) revert InvalidPermit2Address();
        PERMIT2 = ISignatureTransfer(permit2);
    }

    function collect(address payer, address token, uint256 amount, bytes32 channelId, bytes calldata collectorData)
        external
        onlySettlement
    {
        (uint256 nonce, uint256 deadline, bytes memory signature, bytes memory eip2612) =
            abi.decode(collectorData, (uint256, uint256, bytes, bytes));
        if (eip2612.length != 0) _approvePermit2(payer, token, amount, eip2612);
        PERMIT2.permitWitnessTransferFrom(
            ISignatureTransfer.PermitTransferFrom({
                permitted: ISignatureTransfer.TokenPermissions({token: token, amount: amount}),
                nonce: nonce,
                deadline: deadline
            }),
            ISignatureTransfer.SignatureTransferDetails({to: msg.sender, requestedAmount: amount}),
            payer,
            keccak256(abi.encode(DEPOSIT_WITNESS_TYPEHASH, channelId)),
            DEPOSIT_WITNESS_TYPE_STRING,
            signature
        );
    }

    /// @dev Tries the payer's EIP-2612 approval of Permit2; it may already have been used (front-run), so a
    /// revert is only logged.
    function _approvePermit2(address payer, address token, uint256 amount, bytes memory eip2612) private {
        (uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s) =
            abi.decode(eip2612, (uint256, uint256, uint8, bytes32, bytes32));
        if (value != amount) revert Permit2612AmountMismatch();
        try IErc2612Permit(token).permit(payer, address(PERMIT2), value, deadline, v, r, s) {}
        catch Error(string memory reason) {
            emit EIP2612PermitFailedWithReason(token, payer, reason);
        } catch Panic(uint256 code) {
            emit EIP2612PermitFailedWithPanic(token, payer, code);
        } catch (bytes memory data) {
            emit EIP2612PermitFailedWithData(token, payer, data);
        }
    }
}
