// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title PlainErc20Token
/// @notice A test ERC-20 with neither EIP-3009 nor EIP-2612, like Tether USD: spending it needs an on-chain
/// `approve` (Permit2, PaymentPermit, erc20ApprovalGasSponsoring). The owner mints freely.
/// @dev With `returnsBool_ == false`, `transfer` and `transferFrom` return no data at all, like USDT on
/// Ethereum and TRON (BSC USDT returns a bool). `approve` always returns a bool.
contract PlainErc20Token is ERC20, Ownable {
    uint8 private immutable _tokenDecimals;
    bool private immutable _returnsBool;

    constructor(string memory name_, string memory symbol_, uint8 decimals_, bool returnsBool_, address owner_)
        ERC20(name_, symbol_)
        Ownable(owner_)
    {
        _tokenDecimals = decimals_;
        _returnsBool = returnsBool_;
    }

    function decimals() public view override returns (uint8) {
        return _tokenDecimals;
    }

    /// @notice Whether `transfer`/`transferFrom` return a bool (false: they return nothing).
    function returnsBool() external view returns (bool) {
        return _returnsBool;
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        _transfer(msg.sender, to, value);
        _returnTrueOrNothing();
        return true;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        _spendAllowance(from, msg.sender, value);
        _transfer(from, to, value);
        _returnTrueOrNothing();
        return true;
    }

    function _returnTrueOrNothing() private view {
        if (!_returnsBool) {
            assembly ("memory-safe") {
                return(0, 0)
            }
        }
    }
}
