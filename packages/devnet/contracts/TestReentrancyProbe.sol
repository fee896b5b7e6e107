// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestReentrancyProbe
/// @notice Test-only hostile contract for `x402BatchSettlement`'s reentrancy guard: an ERC-20 anyone can mint that
/// can also act as a deposit collector. Once `arm(target, data)` is called, every token transfer (and every
/// `collect`) first calls `target` with `data` and bubbles up a failure, so a guarded entry point re-entered
/// from a transfer or a collector makes the whole transaction revert with the guard's error.
contract TestReentrancyProbe is ERC20 {
    address public target;
    bytes public callData;
    bool private _inHook;

    constructor() ERC20("Reentrancy Probe", "PROBE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata data) external {
        target = target_;
        callData = data;
    }

    /// @notice Deposit-collector entry point: runs the hook, then mints `amount` to the caller (the escrow), so
    /// the escrow's balance check passes when the hook is not armed.
    function collect(address, address, uint256 amount, bytes32, bytes calldata) external {
        _hook();
        _mint(msg.sender, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0)) _hook();
        super._update(from, to, value);
    }

    function _hook() private {
        if (target == address(0) || _inHook) return;
        _inHook = true;
        (bool ok, bytes memory output) = target.call(callData);
        _inHook = false;
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(output, 0x20), mload(output))
            }
        }
    }
}
