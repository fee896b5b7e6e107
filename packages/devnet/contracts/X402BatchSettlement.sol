// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IDepositCollector} from "./IDepositCollector.sol";

/// @title x402BatchSettlement
/// @notice x402kit's escrow for the x402 `batch-settlement` scheme on EVM: payers fund channels through a deposit
/// collector, receivers claim cumulative payer-signed vouchers in batches and sweep them with `settle`, payers get
/// unclaimed escrow back by a timed withdrawal or a receiver-side refund. Written for x402kit's devnet from the
/// scheme's published ABI, events, errors, EIP-712 types and rules; it is not derived from the reference source.
/// @dev Nothing is written by the constructor and the EIP-712 domain separator is computed per call from
/// `block.chainid` and `address(this)`, so the runtime code works wherever it is placed. The reentrancy guard
/// uses transient storage (EIP-1153, cancun).
///
/// Accounting: `channels[id].balance` is everything ever deposited minus what went back to the payer;
/// `totalClaimed` (only ever grows, never above `balance`) is the receiver's part. The receiver's part leaves by
/// `settle`, which sweeps per (receiver, token), so the contract always holds
/// sum(balance) - sum(settled) of each token.
contract x402BatchSettlement is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    struct ChannelConfig {
        address payer;
        address payerAuthorizer;
        address receiver;
        address receiverAuthorizer;
        address token;
        uint40 withdrawDelay;
        bytes32 salt;
    }

    struct ChannelState {
        uint128 balance;
        uint128 totalClaimed;
    }

    struct WithdrawalState {
        uint128 amount;
        uint40 initiatedAt;
    }

    struct ReceiverState {
        uint128 totalClaimed;
        uint128 totalSettled;
    }

    struct Voucher {
        ChannelConfig channel;
        uint128 maxClaimableAmount;
    }

    /// One voucher (signed by the payer side) and the cumulative total the receiver side claims with it.
    struct VoucherClaim {
        Voucher voucher;
        bytes signature;
        uint128 totalClaimed;
    }

    uint40 public constant MIN_WITHDRAW_DELAY = 900;
    uint40 public constant MAX_WITHDRAW_DELAY = 2_592_000;

    bytes32 public constant CHANNEL_CONFIG_TYPEHASH = keccak256(
        "ChannelConfig(address payer,address payerAuthorizer,address receiver,address receiverAuthorizer,address token,uint40 withdrawDelay,bytes32 salt)"
    );
    bytes32 public constant VOUCHER_TYPEHASH = keccak256("Voucher(bytes32 channelId,uint128 maxClaimableAmount)");
    bytes32 public constant REFUND_TYPEHASH = keccak256("Refund(bytes32 channelId,uint256 nonce,uint128 amount)");
    bytes32 public constant CLAIM_ENTRY_TYPEHASH =
        keccak256("ClaimEntry(bytes32 channelId,uint128 maxClaimableAmount,uint128 totalClaimed)");
    bytes32 public constant CLAIM_BATCH_TYPEHASH = keccak256(
        "ClaimBatch(ClaimEntry[] claims)ClaimEntry(bytes32 channelId,uint128 maxClaimableAmount,uint128 totalClaimed)"
    );

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    string private constant DOMAIN_NAME = "x402 Batch Settlement";
    string private constant DOMAIN_VERSION = "1";
    bytes32 private constant DOMAIN_NAME_HASH = keccak256(bytes(DOMAIN_NAME));
    bytes32 private constant DOMAIN_VERSION_HASH = keccak256(bytes(DOMAIN_VERSION));

    mapping(bytes32 channelId => ChannelState) public channels;
    mapping(bytes32 channelId => uint256) public refundNonce;
    mapping(bytes32 channelId => WithdrawalState) public pendingWithdrawals;
    mapping(address receiver => mapping(address token => ReceiverState)) public receivers;

    event ChannelCreated(bytes32 indexed channelId, ChannelConfig config);
    event ChannelClosed(bytes32 indexed channelId, ChannelConfig config);
    event Deposited(bytes32 indexed channelId, address indexed sender, uint128 amount, uint128 newBalance);
    event Claimed(bytes32 indexed channelId, address indexed sender, uint128 claimAmount, uint128 newTotalClaimed);
    event Settled(address indexed receiver, address indexed token, address indexed sender, uint128 amount);
    event Refunded(bytes32 indexed channelId, address indexed sender, uint128 amount);
    event WithdrawInitiated(bytes32 indexed channelId, uint128 amount, uint40 finalizeAfter);
    event WithdrawFinalized(bytes32 indexed channelId, address indexed sender, uint128 amount);

    error InvalidChannel();
    error ZeroDeposit();
    error DepositOverflow();
    error InvalidSignature();
    error NotReceiverAuthorizer();
    error NotAuthorizedToClaim();
    error NotAuthorizedToRefund();
    error ClaimExceedsCeiling();
    error ClaimExceedsBalance();
    error WithdrawalAlreadyPending();
    error WithdrawalNotPending();
    error NotAuthorizedToFinalizeWithdraw();
    error WithdrawDelayNotElapsed();
    error NothingToWithdraw();
    error WithdrawAmountExceedsAvailable();
    error WithdrawDelayOutOfRange();
    error EmptyBatch();
    error DepositCollectionFailed();
    error InvalidCollector();
    error InvalidRefundNonce();
    error ZeroRefund();

    // ---------------------------------------------------------------- deposits

    /// @notice Adds `amount` to the channel of `config` (created by its first deposit). `collector` pulls the
    /// tokens from `config.payer` using `collectorData`; the contract checks its own balance grew by exactly
    /// `amount` (so fee-on-transfer tokens and collectors that lie are rejected).
    function deposit(ChannelConfig calldata config, uint128 amount, address collector, bytes calldata collectorData)
        external
        nonReentrant
    {
        _requireFundableConfig(config);
        if (amount == 0) revert ZeroDeposit();
        if (collector == address(0)) revert InvalidCollector();

        bytes32 channelId = getChannelId(config);
        ChannelState storage state = channels[channelId];
        uint128 previous = state.balance;
        if (amount > type(uint128).max - previous) revert DepositOverflow();
        bool opens = previous == 0 && state.totalClaimed == 0;
        state.balance = previous + amount;

        IERC20 token = IERC20(config.token);
        uint256 held = token.balanceOf(address(this));
        IDepositCollector(collector).collect(config.payer, config.token, amount, channelId, collectorData);
        if (token.balanceOf(address(this)) != held + amount) revert DepositCollectionFailed();

        if (opens) emit ChannelCreated(channelId, config);
        emit Deposited(channelId, msg.sender, amount, previous + amount);
    }

    // ---------------------------------------------------------------- claims and settlement

    /// @notice Records vouchers; the caller must be the receiver or the receiver authorizer of every row.
    function claim(VoucherClaim[] calldata voucherClaims) external nonReentrant {
        if (voucherClaims.length == 0) revert EmptyBatch();
        for (uint256 i = 0; i < voucherClaims.length; ++i) {
            ChannelConfig calldata config = voucherClaims[i].voucher.channel;
            if (!_isReceiverSide(msg.sender, config)) revert NotAuthorizedToClaim();
            _recordClaim(voucherClaims[i]);
        }
    }

    /// @notice Records vouchers on the strength of the receiver authorizer's EIP-712 `ClaimBatch` signature; anyone
    /// may relay it. Every row must name the same receiver authorizer as the first.
    function claimWithSignature(VoucherClaim[] calldata voucherClaims, bytes calldata authorizerSignature)
        external
        nonReentrant
    {
        if (voucherClaims.length == 0) revert EmptyBatch();
        address authorizer = voucherClaims[0].voucher.channel.receiverAuthorizer;
        if (!SignatureChecker.isValidSignatureNow(authorizer, getClaimBatchDigest(voucherClaims), authorizerSignature))
        {
            revert InvalidSignature();
        }
        for (uint256 i = 0; i < voucherClaims.length; ++i) {
            if (voucherClaims[i].voucher.channel.receiverAuthorizer != authorizer) revert NotReceiverAuthorizer();
            _recordClaim(voucherClaims[i]);
        }
    }

    /// @notice Pays `receiver` everything claimed for it in `token` and not paid yet. Anyone may call it.
    function settle(address receiver, address token) external nonReentrant {
        ReceiverState storage state = receivers[receiver][token];
        uint128 due = state.totalClaimed - state.totalSettled;
        if (due == 0) return;
        state.totalSettled = state.totalClaimed;
        IERC20(token).safeTransfer(receiver, due);
        emit Settled(receiver, token, msg.sender, due);
    }

    // ---------------------------------------------------------------- payer exits

    /// @notice Starts a timed withdrawal of unclaimed escrow (payer or payer authorizer only). Claims recorded
    /// before it is finalized still win: finalization pays at most what is unclaimed then.
    function initiateWithdraw(ChannelConfig calldata config, uint128 amount) external nonReentrant {
        if (!_isPayerSide(msg.sender, config)) revert InvalidChannel();
        if (amount == 0) revert NothingToWithdraw();
        bytes32 channelId = getChannelId(config);
        WithdrawalState storage pending = pendingWithdrawals[channelId];
        if (pending.initiatedAt != 0) revert WithdrawalAlreadyPending();
        if (amount > _unclaimed(channels[channelId])) revert WithdrawAmountExceedsAvailable();
        pending.amount = amount;
        pending.initiatedAt = uint40(block.timestamp);
        emit WithdrawInitiated(channelId, amount, uint40(block.timestamp) + config.withdrawDelay);
    }

    /// @notice Completes a pending withdrawal once `withdrawDelay` has passed, paying the payer the requested
    /// amount capped to the escrow that is still unclaimed.
    function finalizeWithdraw(ChannelConfig calldata config) external nonReentrant {
        if (!_isPayerSide(msg.sender, config)) revert NotAuthorizedToFinalizeWithdraw();
        bytes32 channelId = getChannelId(config);
        WithdrawalState storage pending = pendingWithdrawals[channelId];
        uint256 startedAt = pending.initiatedAt;
        if (startedAt == 0) revert WithdrawalNotPending();
        if (block.timestamp < startedAt + config.withdrawDelay) revert WithdrawDelayNotElapsed();

        ChannelState storage state = channels[channelId];
        uint128 payout = _min(pending.amount, _unclaimed(state));
        delete pendingWithdrawals[channelId];
        state.balance -= payout;

        emit WithdrawFinalized(channelId, msg.sender, payout);
        _noteIfClosed(channelId, config, state);
        if (payout != 0) IERC20(config.token).safeTransfer(config.payer, payout);
    }

    /// @notice Receiver-side refund of unclaimed escrow to the payer (receiver or receiver authorizer only).
    function refund(ChannelConfig calldata config, uint128 amount) external nonReentrant {
        if (!_isReceiverSide(msg.sender, config)) revert NotAuthorizedToRefund();
        _refund(config, amount);
    }

    /// @notice Refund authorized by the receiver authorizer's EIP-712 `Refund` signature at the channel's current
    /// `refundNonce`; anyone may relay it.
    function refundWithSignature(
        ChannelConfig calldata config,
        uint128 amount,
        uint256 nonce,
        bytes calldata receiverAuthorizerSignature
    ) external nonReentrant {
        bytes32 channelId = getChannelId(config);
        if (nonce != refundNonce[channelId]) revert InvalidRefundNonce();
        bytes32 digest = getRefundDigest(channelId, nonce, amount);
        if (!SignatureChecker.isValidSignatureNow(config.receiverAuthorizer, digest, receiverAuthorizerSignature)) {
            revert InvalidSignature();
        }
        _refund(config, amount);
    }

    /// @notice Runs several calls of this contract in one transaction (each a delegatecall to itself, so
    /// `msg.sender` is kept); the first failure reverts everything with its own revert data.
    function multicall(bytes[] calldata data) external returns (bytes[] memory results) {
        results = new bytes[](data.length);
        for (uint256 i = 0; i < data.length; ++i) {
            (bool ok, bytes memory output) = address(this).delegatecall(data[i]);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(output, 0x20), mload(output))
                }
            }
            results[i] = output;
        }
    }

    // ---------------------------------------------------------------- views

    /// @notice The channel id: the EIP-712 hash of `config` under this contract's domain.
    function getChannelId(ChannelConfig calldata config) public view returns (bytes32) {
        return _digest(keccak256(abi.encode(CHANNEL_CONFIG_TYPEHASH, config)));
    }

    function getVoucherDigest(bytes32 channelId, uint128 maxClaimableAmount) public view returns (bytes32) {
        return _digest(keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, maxClaimableAmount)));
    }

    function getRefundDigest(bytes32 channelId, uint256 nonce, uint128 amount) public view returns (bytes32) {
        return _digest(keccak256(abi.encode(REFUND_TYPEHASH, channelId, nonce, amount)));
    }

    /// @notice The EIP-712 `ClaimBatch` digest the receiver authorizer signs for `claimWithSignature`.
    function getClaimBatchDigest(VoucherClaim[] calldata voucherClaims) public view returns (bytes32) {
        bytes32[] memory entries = new bytes32[](voucherClaims.length);
        for (uint256 i = 0; i < voucherClaims.length; ++i) {
            VoucherClaim calldata row = voucherClaims[i];
            entries[i] = keccak256(
                abi.encode(
                    CLAIM_ENTRY_TYPEHASH,
                    getChannelId(row.voucher.channel),
                    row.voucher.maxClaimableAmount,
                    row.totalClaimed
                )
            );
        }
        return _digest(keccak256(abi.encode(CLAIM_BATCH_TYPEHASH, keccak256(abi.encodePacked(entries)))));
    }

    /// @notice ERC-5267 description of the EIP-712 domain (name, version, chainId, verifyingContract).
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", DOMAIN_NAME, DOMAIN_VERSION, block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    // ---------------------------------------------------------------- internals

    function _recordClaim(VoucherClaim calldata row) private {
        ChannelConfig calldata config = row.voucher.channel;
        bytes32 channelId = getChannelId(config);
        ChannelState storage state = channels[channelId];
        uint128 recorded = state.totalClaimed;
        uint128 target = row.totalClaimed;
        // Cumulative totals make a replayed or stale voucher a no-op instead of a second payment.
        if (target <= recorded) return;
        if (target > row.voucher.maxClaimableAmount) revert ClaimExceedsCeiling();
        if (target > state.balance) revert ClaimExceedsBalance();
        _requirePayerSignature(config, getVoucherDigest(channelId, row.voucher.maxClaimableAmount), row.signature);

        uint128 added = target - recorded;
        state.totalClaimed = target;
        receivers[config.receiver][config.token].totalClaimed += added;
        emit Claimed(channelId, msg.sender, added, target);
    }

    /// @dev A set payer authorizer signs with a plain ECDSA key; otherwise the payer itself signs (EOA or ERC-1271).
    function _requirePayerSignature(ChannelConfig calldata config, bytes32 digest, bytes calldata signature)
        private
        view
    {
        bool valid;
        if (config.payerAuthorizer != address(0)) {
            (address signer, ECDSA.RecoverError failure,) = ECDSA.tryRecoverCalldata(digest, signature);
            valid = failure == ECDSA.RecoverError.NoError && signer == config.payerAuthorizer;
        } else {
            valid = SignatureChecker.isValidSignatureNow(config.payer, digest, signature);
        }
        if (!valid) revert InvalidSignature();
    }

    /// @dev Every refund, signed or not, spends a nonce first (even when nothing is left to refund), so a signed
    /// refund can run once at most. A pending withdrawal shrinks by what the refund paid.
    function _refund(ChannelConfig calldata config, uint128 amount) private {
        if (amount == 0) revert ZeroRefund();
        bytes32 channelId = getChannelId(config);
        unchecked {
            ++refundNonce[channelId];
        }
        ChannelState storage state = channels[channelId];
        uint128 payout = _min(amount, _unclaimed(state));
        if (payout == 0) return;
        state.balance -= payout;

        WithdrawalState storage pending = pendingWithdrawals[channelId];
        if (pending.initiatedAt != 0) {
            if (payout >= pending.amount) delete pendingWithdrawals[channelId];
            else pending.amount -= payout;
        }
        emit Refunded(channelId, msg.sender, payout);
        _noteIfClosed(channelId, config, state);
        IERC20(config.token).safeTransfer(config.payer, payout);
    }

    function _requireFundableConfig(ChannelConfig calldata config) private pure {
        if (
            config.payer == address(0) || config.receiver == address(0) || config.receiverAuthorizer == address(0)
                || config.token == address(0)
        ) revert InvalidChannel();
        if (config.withdrawDelay < MIN_WITHDRAW_DELAY || config.withdrawDelay > MAX_WITHDRAW_DELAY) {
            revert WithdrawDelayOutOfRange();
        }
    }

    function _noteIfClosed(bytes32 channelId, ChannelConfig calldata config, ChannelState storage state) private {
        if (state.balance == 0 && state.totalClaimed == 0) emit ChannelClosed(channelId, config);
    }

    function _isReceiverSide(address account, ChannelConfig calldata config) private pure returns (bool) {
        return account == config.receiver || account == config.receiverAuthorizer;
    }

    function _isPayerSide(address account, ChannelConfig calldata config) private pure returns (bool) {
        return account == config.payer || account == config.payerAuthorizer;
    }

    function _unclaimed(ChannelState storage state) private view returns (uint128) {
        return state.balance - state.totalClaimed;
    }

    function _min(uint128 a, uint128 b) private pure returns (uint128) {
        return a < b ? a : b;
    }

    /// @dev EIP-712 digest under this contract's domain, built per call (see the contract's @dev).
    function _digest(bytes32 structHash) private view returns (bytes32) {
        bytes32 domain =
            keccak256(abi.encode(DOMAIN_TYPEHASH, DOMAIN_NAME_HASH, DOMAIN_VERSION_HASH, block.chainid, address(this)));
        return keccak256(abi.encodePacked(hex"1901", domain, structHash));
    }
}
