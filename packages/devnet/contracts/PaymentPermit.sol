// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title PaymentPermit
/// @notice x402kit's own implementation of the BofAI `exact_permit` contract's published interface: a buyer
/// signs an EIP-712 `PaymentPermitDetails` (domain `EIP712Domain(string name,uint256 chainId,address
/// verifyingContract)`, name "PaymentPermit", no version), and the named `caller` pulls `payAmount` to `payTo`
/// and `feeAmount` to `feeTo` from the buyer's allowance to this contract.
/// @dev Checks, in order: buyer == owner (BuyerMismatch), kind == 0 (InvalidKind), validAfter <= now <=
/// validBefore (InvalidTimestamp), msg.sender == caller (InvalidCaller), unordered nonce unused (NonceAlreadyUsed,
/// Permit2-style bitmap: word nonce >> 8, bit nonce & 0xff), 65-byte r||s||v signature by the owner
/// (InvalidSignature). Transfers tolerate tokens that return no bool.
contract PaymentPermit {
    struct PermitMeta {
        uint8 kind;
        bytes16 paymentId;
        uint256 nonce;
        uint256 validAfter;
        uint256 validBefore;
    }

    struct Payment {
        address payToken;
        uint256 payAmount;
        address payTo;
    }

    struct Fee {
        address feeTo;
        uint256 feeAmount;
    }

    struct PaymentPermitDetails {
        PermitMeta meta;
        address buyer;
        address caller;
        Payment payment;
        Fee fee;
    }

    bytes32 private constant DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("PaymentPermit");
    bytes32 public constant PERMIT_META_TYPEHASH =
        keccak256("PermitMeta(uint8 kind,bytes16 paymentId,uint256 nonce,uint256 validAfter,uint256 validBefore)");
    bytes32 public constant PAYMENT_TYPEHASH = keccak256("Payment(address payToken,uint256 payAmount,address payTo)");
    bytes32 public constant FEE_TYPEHASH = keccak256("Fee(address feeTo,uint256 feeAmount)");
    bytes32 public constant PAYMENT_PERMIT_DETAILS_TYPEHASH = keccak256(
        "PaymentPermitDetails(PermitMeta meta,address buyer,address caller,Payment payment,Fee fee)"
        "Fee(address feeTo,uint256 feeAmount)"
        "Payment(address payToken,uint256 payAmount,address payTo)"
        "PermitMeta(uint8 kind,bytes16 paymentId,uint256 nonce,uint256 validAfter,uint256 validBefore)"
    );

    uint256 private immutable _cachedChainId;
    address private immutable _cachedThis;
    bytes32 private immutable _cachedDomainSeparator;

    /// Per owner, 256 nonces per word: bit `nonce & 0xff` of word `nonce >> 8` is set once the nonce is used.
    mapping(address owner => mapping(uint256 wordPos => uint256 bits)) public nonceBitmap;

    event PermitTransfer(
        address indexed buyer, bytes16 indexed paymentId, address indexed payToken, address payTo, uint256 amount
    );

    error InvalidTimestamp();
    error InvalidCaller();
    error InvalidNonce();
    error InvalidSignature();
    error NonceAlreadyUsed();
    error InvalidKind();
    error BuyerMismatch();

    constructor() {
        _cachedChainId = block.chainid;
        _cachedThis = address(this);
        _cachedDomainSeparator = _buildDomainSeparator();
    }

    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        if (block.chainid == _cachedChainId && address(this) == _cachedThis) return _cachedDomainSeparator;
        return _buildDomainSeparator();
    }

    function nonceUsed(address owner, uint256 nonce) external view returns (bool) {
        return nonceBitmap[owner][nonce >> 8] & (uint256(1) << (nonce & 0xff)) != 0;
    }

    function permitTransferFrom(PaymentPermitDetails calldata permit, address owner, bytes calldata signature)
        external
    {
        if (owner != permit.buyer) revert BuyerMismatch();
        if (permit.meta.kind != 0) revert InvalidKind();
        if (block.timestamp < permit.meta.validAfter || block.timestamp > permit.meta.validBefore) {
            revert InvalidTimestamp();
        }
        if (msg.sender != permit.caller) revert InvalidCaller();
        _useNonce(owner, permit.meta.nonce);
        _checkSignature(_hashDetails(permit), owner, signature);

        _safeTransferFrom(permit.payment.payToken, owner, permit.payment.payTo, permit.payment.payAmount, "Payment failed");
        if (permit.fee.feeAmount > 0) {
            _safeTransferFrom(permit.payment.payToken, owner, permit.fee.feeTo, permit.fee.feeAmount, "Fee failed");
        }
        emit PermitTransfer(
            owner, permit.meta.paymentId, permit.payment.payToken, permit.payment.payTo, permit.payment.payAmount
        );
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, block.chainid, address(this)));
    }

    function _useNonce(address owner, uint256 nonce) private {
        uint256 bit = uint256(1) << (nonce & 0xff);
        uint256 flipped = nonceBitmap[owner][nonce >> 8] ^= bit;
        if (flipped & bit == 0) revert NonceAlreadyUsed();
    }

    function _hashDetails(PaymentPermitDetails calldata p) private view returns (bytes32) {
        bytes32 metaHash = keccak256(
            abi.encode(
                PERMIT_META_TYPEHASH, p.meta.kind, p.meta.paymentId, p.meta.nonce, p.meta.validAfter, p.meta.validBefore
            )
        );
        bytes32 paymentHash =
            keccak256(abi.encode(PAYMENT_TYPEHASH, p.payment.payToken, p.payment.payAmount, p.payment.payTo));
        bytes32 feeHash = keccak256(abi.encode(FEE_TYPEHASH, p.fee.feeTo, p.fee.feeAmount));
        bytes32 structHash =
            keccak256(abi.encode(PAYMENT_PERMIT_DETAILS_TYPEHASH, metaHash, p.buyer, p.caller, paymentHash, feeHash));
        return keccak256(abi.encodePacked(hex"1901", DOMAIN_SEPARATOR(), structHash));
    }

    function _checkSignature(bytes32 digest, address owner, bytes calldata signature) private pure {
        if (signature.length != 65) revert InvalidSignature();
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0) || signer != owner) revert InvalidSignature();
    }

    /// @dev `transferFrom` that accepts tokens returning nothing (USDT on Ethereum/TRON) as well as `true`.
    function _safeTransferFrom(address token, address from, address to, uint256 amount, string memory failure)
        private
    {
        (bool ok, bytes memory data) = token.call(abi.encodeWithSelector(0x23b872dd, from, to, amount));
        if (!ok || (data.length != 0 && (data.length < 32 || !abi.decode(data, (bool)))) || token.code.length == 0) {
            revert(failure);
        }
    }
}
