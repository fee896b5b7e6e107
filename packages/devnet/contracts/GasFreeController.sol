// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {GasFreeAccount} from "./GasFreeAccount.sol";

/// @title GasFreeController
/// @notice x402kit's own GasFreeController-compatible contract for local chains. A user signs an EIP-712/TIP-712
/// `PermitTransfer` (domain {name "GasFreeController", version "V1.0.0", chainId, verifyingContract = this}); a
/// registered service provider (`msg.sender`) calls `permitTransfer` (selector 0x6f21b898, as on TRON), which moves
/// `value` from the user's GasFree account to `receiver` and the fee (the token's transfer fee, plus its
/// activation fee when the account does not exist yet) to the provider.
/// @dev Checks, in order: provider registered (ProviderNotRegistered), token supported (UnsupportedToken),
/// block.timestamp <= deadline (DeadlineExpired), version == 1 (UnsupportedVersion), nonce == the user's next
/// nonce (InvalidNonce), signature by `user` over the permit with serviceProvider = msg.sender
/// (InvalidSignature), fee <= maxFee (MaxFeeExceeded). Then the account is deployed if needed (activation) and the
/// tokens move; the account tolerates tokens that return no bool.
/// Differences from TRON's GasFree: accounts are plain contracts (not beacon proxies) at ordinary CREATE2
/// addresses (prefix 0xff, not TRON's 0x41), so `gasFreeAddressOf` does not give the real GasFree address of a
/// TRON user; the GasFree API's `gasFreeAddress` is authoritative in both worlds. Configuration (providers,
/// tokens and fees) sits on chain here and is set by the owner.
contract GasFreeController {
    struct TokenConfig {
        bool supported;
        uint256 activateFee;
        uint256 transferFee;
    }

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("GasFreeController");
    bytes32 private constant VERSION_HASH = keccak256("V1.0.0");
    bytes32 public constant PERMIT_TRANSFER_TYPEHASH = keccak256(
        "PermitTransfer(address token,address serviceProvider,address user,address receiver,uint256 value,"
        "uint256 maxFee,uint256 deadline,uint256 version,uint256 nonce)"
    );
    /// The only permit version this controller accepts.
    uint256 public constant PERMIT_VERSION = 1;
    /// secp256k1 n / 2: signatures with a larger s are malleable copies and are refused.
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// Sets providers and tokens; zero until `initialize` (so the code can be placed at any address).
    address public owner;
    mapping(address provider => bool) public providers;
    mapping(address token => TokenConfig) public tokenConfig;
    /// The nonce the next permit of `user` must carry.
    mapping(address user => uint256) public nonces;

    event GasFreeTransfer(
        address indexed user,
        address indexed token,
        address indexed receiver,
        address gasFreeAccount,
        address serviceProvider,
        uint256 value,
        uint256 fee,
        uint256 nonce
    );
    event GasFreeAccountActivated(address indexed user, address indexed gasFreeAccount);
    event ProviderSet(address indexed provider, bool registered);
    event TokenSet(address indexed token, bool supported, uint256 activateFee, uint256 transferFee);
    event OwnerSet(address indexed owner);

    error AlreadyInitialized();
    error NotOwner();
    error ProviderNotRegistered(address provider);
    error UnsupportedToken(address token);
    error DeadlineExpired(uint256 deadline);
    error UnsupportedVersion(uint256 version);
    error InvalidNonce(uint256 expected, uint256 got);
    error InvalidSignature();
    error MaxFeeExceeded(uint256 fee, uint256 maxFee);

    /// @notice Makes `owner_` the owner; callable once, by anyone (call it in the same setup that places the code).
    function initialize(address owner_) external {
        if (owner != address(0)) revert AlreadyInitialized();
        owner = owner_;
        emit OwnerSet(owner_);
    }

    function setProvider(address provider, bool registered) external {
        if (msg.sender != owner) revert NotOwner();
        providers[provider] = registered;
        emit ProviderSet(provider, registered);
    }

    function setToken(address token, bool supported, uint256 activateFee, uint256 transferFee) external {
        if (msg.sender != owner) revert NotOwner();
        tokenConfig[token] = TokenConfig(supported, activateFee, transferFee);
        emit TokenSet(token, supported, activateFee, transferFee);
    }

    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    /// @notice The address of `user`'s GasFree account (ordinary CREATE2 by this controller), deployed or not.
    function gasFreeAddressOf(address user) public view returns (address) {
        bytes32 initCodeHash = keccak256(abi.encodePacked(type(GasFreeAccount).creationCode, abi.encode(user)));
        bytes32 salt = bytes32(uint256(uint160(user)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, initCodeHash)))));
    }

    /// @notice Whether `user`'s GasFree account exists (it is created, i.e. activated, by the first transfer).
    function isActive(address user) public view returns (bool) {
        return gasFreeAddressOf(user).code.length > 0;
    }

    /// @notice The fee a transfer of `token` by `user` costs now: transfer fee, plus activation fee if inactive.
    function feeOf(address token, address user) public view returns (uint256) {
        TokenConfig storage config = tokenConfig[token];
        return isActive(user) ? config.transferFee : config.transferFee + config.activateFee;
    }

    /// @notice The EIP-712 digest `user` signs for this permit with `serviceProvider` as the provider.
    function hashPermitTransfer(
        address token,
        address serviceProvider,
        address user,
        address receiver,
        uint256 value,
        uint256 maxFee,
        uint256 deadline,
        uint256 version,
        uint256 nonce
    ) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                PERMIT_TRANSFER_TYPEHASH, token, serviceProvider, user, receiver, value, maxFee, deadline, version, nonce
            )
        );
        return keccak256(abi.encodePacked(hex"1901", DOMAIN_SEPARATOR(), structHash));
    }

    /// @notice Moves `value` of `token` from `user`'s GasFree account to `receiver` and the fee to the calling
    /// service provider, as `user` signed in `sig` (65 bytes r||s||v).
    function permitTransfer(
        address token,
        address user,
        address receiver,
        uint256 value,
        uint256 maxFee,
        uint256 deadline,
        uint256 version,
        uint256 nonce,
        bytes calldata sig
    ) external {
        if (!providers[msg.sender]) revert ProviderNotRegistered(msg.sender);
        if (!tokenConfig[token].supported) revert UnsupportedToken(token);
        if (block.timestamp > deadline) revert DeadlineExpired(deadline);
        if (version != PERMIT_VERSION) revert UnsupportedVersion(version);
        _useNonce(user, nonce);
        bytes32 digest = hashPermitTransfer(token, msg.sender, user, receiver, value, maxFee, deadline, version, nonce);
        _checkSignature(digest, user, sig);
        _move(token, user, receiver, value, maxFee, nonce);
    }

    function _useNonce(address user, uint256 nonce) private {
        uint256 expected = nonces[user];
        if (nonce != expected) revert InvalidNonce(expected, nonce);
        nonces[user] = expected + 1;
    }

    /// @dev Activates the account if needed, charges the fee (bounded by maxFee) and moves the tokens.
    function _move(address token, address user, address receiver, uint256 value, uint256 maxFee, uint256 nonce)
        private
    {
        address account = gasFreeAddressOf(user);
        bool activating = account.code.length == 0;
        uint256 fee = feeOf(token, user);
        if (fee > maxFee) revert MaxFeeExceeded(fee, maxFee);
        if (activating) {
            new GasFreeAccount{salt: bytes32(uint256(uint160(user)))}(user);
            emit GasFreeAccountActivated(user, account);
        }
        if (value > 0) GasFreeAccount(account).transferToken(token, receiver, value);
        if (fee > 0) GasFreeAccount(account).transferToken(token, msg.sender, fee);
        emit GasFreeTransfer(user, token, receiver, account, msg.sender, value, fee, nonce);
    }

    function _checkSignature(bytes32 digest, address user, bytes calldata sig) private pure {
        if (sig.length != 65) revert InvalidSignature();
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (v < 27) v += 27;
        if (uint256(s) > HALF_N) revert InvalidSignature();
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0) || signer != user) revert InvalidSignature();
    }
}
