// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {DevnetToken} from "./DevnetToken.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title Eip2612Token
/// @notice A test ERC-20 with EIP-2612 `permit` but no EIP-3009, for x402's Permit2 flow with the
/// eip2612GasSponsoring extension. Unlike OpenZeppelin's ERC20Permit, the EIP-712 version is configurable
/// (and exposed as `version()`), so the domain can imitate any real token. The owner mints freely.
contract Eip2612Token is DevnetToken, Nonces {
    bytes32 public constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    error ERC2612ExpiredSignature(uint256 deadline);
    error ERC2612InvalidSigner(address signer, address owner);

    constructor(string memory name_, string memory symbol_, string memory version_, uint8 decimals_, address owner_)
        DevnetToken(name_, symbol_, version_, decimals_, owner_)
    {}

    function nonces(address owner) public view override returns (uint256) {
        return super.nonces(owner);
    }

    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        if (block.timestamp > deadline) revert ERC2612ExpiredSignature(deadline);
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline));
        address signer = ECDSA.recover(_hashTypedDataV4(structHash), v, r, s);
        if (signer != owner) revert ERC2612InvalidSigner(signer, owner);
        _approve(owner, spender, value);
    }
}
