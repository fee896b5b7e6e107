// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title DevnetToken
/// @notice What the devnet's signature-based test tokens share: an ERC-20 with configurable decimals, an EIP-712
/// domain whose version is configurable and exposed (`version()`, `DOMAIN_SEPARATOR()`), so the domain can
/// imitate any real token, and free minting by the owner.
abstract contract DevnetToken is ERC20, EIP712, Ownable {
    uint8 private immutable _tokenDecimals;

    constructor(string memory name_, string memory symbol_, string memory version_, uint8 decimals_, address owner_)
        ERC20(name_, symbol_)
        EIP712(name_, version_)
        Ownable(owner_)
    {
        _tokenDecimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _tokenDecimals;
    }

    /// @notice The EIP-712 domain version (FiatToken exposes it as `version()`).
    function version() external view returns (string memory) {
        return _EIP712Version();
    }

    /// @notice The EIP-712 domain separator for this address and chain.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
