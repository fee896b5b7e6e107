// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IDepositCollector
/// @notice What `x402BatchSettlement.deposit` calls to pull a payer's tokens into escrow. A collector must leave
/// exactly `amount` more of `token` on the settlement contract (which checks its own balance before and after).
interface IDepositCollector {
    function collect(address payer, address token, uint256 amount, bytes32 channelId, bytes calldata collectorData)
        external;
}

/// @title DepositCollectorBase
/// @notice Common part of x402kit's deposit collectors: they serve one settlement contract, fixed at construction
/// as an immutable (so the runtime code can be copied to a canonical address), and only it may call `collect`.
abstract contract DepositCollectorBase is IDepositCollector {
    /// The settlement contract this collector serves (the only allowed caller of `collect`).
    address public immutable x402BatchSettlement;

    error OnlyX402BatchSettlement();
    error InvalidX402BatchSettlementAddress();

    constructor(address settlement) {
        if (settlement == address(0)) revert InvalidX402BatchSettlementAddress();
        x402BatchSettlement = settlement;
    }

    modifier onlySettlement() {
        if (msg.sender != x402BatchSettlement) revert OnlyX402BatchSettlement();
        _;
    }
}
