/**
 * The ABIs of the x402 `batch-settlement` contracts on EVM: the `x402BatchSettlement` escrow and its two
 * deposit collectors (addresses in `constants.ts`). Selectors, events and errors are the scheme's published
 * ones; the x402kit devnet places its own implementation of these contracts at the canonical addresses.
 */
import { parseAbi } from 'viem';

const channelConfigStruct =
  'struct ChannelConfig { address payer; address payerAuthorizer; address receiver; address receiverAuthorizer; address token; uint40 withdrawDelay; bytes32 salt; }';

/**
 * `x402BatchSettlement`: deposits through a collector, claims (direct or signed by the receiver authorizer as
 * an EIP-712 `ClaimBatch`), per-(receiver, token) settlement sweeps, timed withdrawals, refunds, `multicall`,
 * the state and digest views, the events and the custom errors.
 *
 * @example readContract({ address: BATCH_SETTLEMENT_ADDRESS, abi: batchSettlementAbi, functionName: 'channels', args: [channelId] })
 */
export const batchSettlementAbi = parseAbi([
  channelConfigStruct,
  'struct Voucher { ChannelConfig channel; uint128 maxClaimableAmount; }',
  'struct VoucherClaim { Voucher voucher; bytes signature; uint128 totalClaimed; }',
  'function deposit(ChannelConfig config, uint128 amount, address collector, bytes collectorData)',
  'function claim(VoucherClaim[] voucherClaims)',
  'function claimWithSignature(VoucherClaim[] voucherClaims, bytes authorizerSignature)',
  'function settle(address receiver, address token)',
  'function initiateWithdraw(ChannelConfig config, uint128 amount)',
  'function finalizeWithdraw(ChannelConfig config)',
  'function refund(ChannelConfig config, uint128 amount)',
  'function refundWithSignature(ChannelConfig config, uint128 amount, uint256 nonce, bytes receiverAuthorizerSignature)',
  'function multicall(bytes[] data) returns (bytes[] results)',
  'function channels(bytes32 channelId) view returns (uint128 balance, uint128 totalClaimed)',
  'function pendingWithdrawals(bytes32 channelId) view returns (uint128 amount, uint40 initiatedAt)',
  'function receivers(address receiver, address token) view returns (uint128 totalClaimed, uint128 totalSettled)',
  'function refundNonce(bytes32 channelId) view returns (uint256)',
  'function getChannelId(ChannelConfig config) view returns (bytes32)',
  'function getVoucherDigest(bytes32 channelId, uint128 maxClaimableAmount) view returns (bytes32)',
  'function getRefundDigest(bytes32 channelId, uint256 nonce, uint128 amount) view returns (bytes32)',
  'function getClaimBatchDigest(VoucherClaim[] voucherClaims) view returns (bytes32)',
  'function CHANNEL_CONFIG_TYPEHASH() view returns (bytes32)',
  'function MIN_WITHDRAW_DELAY() view returns (uint40)',
  'function MAX_WITHDRAW_DELAY() view returns (uint40)',
  'event ChannelCreated(bytes32 indexed channelId, ChannelConfig config)',
  'event ChannelClosed(bytes32 indexed channelId, ChannelConfig config)',
  'event Deposited(bytes32 indexed channelId, address indexed sender, uint128 amount, uint128 newBalance)',
  'event Claimed(bytes32 indexed channelId, address indexed sender, uint128 claimAmount, uint128 newTotalClaimed)',
  'event Settled(address indexed receiver, address indexed token, address indexed sender, uint128 amount)',
  'event Refunded(bytes32 indexed channelId, address indexed sender, uint128 amount)',
  'event WithdrawInitiated(bytes32 indexed channelId, uint128 amount, uint40 finalizeAfter)',
  'event WithdrawFinalized(bytes32 indexed channelId, address indexed sender, uint128 amount)',
  'error InvalidChannel()',
  'error ZeroDeposit()',
  'error DepositOverflow()',
  'error InvalidSignature()',
  'error NotReceiverAuthorizer()',
  'error NotAuthorizedToClaim()',
  'error NotAuthorizedToRefund()',
  'error ClaimExceedsCeiling()',
  'error ClaimExceedsBalance()',
  'error WithdrawalAlreadyPending()',
  'error WithdrawalNotPending()',
  'error NotAuthorizedToFinalizeWithdraw()',
  'error WithdrawDelayNotElapsed()',
  'error NothingToWithdraw()',
  'error WithdrawAmountExceedsAvailable()',
  'error WithdrawDelayOutOfRange()',
  'error EmptyBatch()',
  'error DepositCollectionFailed()',
  'error InvalidCollector()',
  'error InvalidRefundNonce()',
  'error ZeroRefund()',
  'error ReentrancyGuardReentrantCall()',
  'error SafeERC20FailedOperation(address token)',
]);

/**
 * `ERC3009DepositCollector`: `collect` (callable only by the escrow) pulls a deposit with ERC-3009
 * `receiveWithAuthorization` (nonce `keccak256(abi.encode(channelId, salt))`); its `collectorData` is
 * `abi.encode(uint256 validAfter, uint256 validBefore, uint256 salt, bytes signature)`.
 *
 * @example readContract({ address: ERC3009_DEPOSIT_COLLECTOR_ADDRESS, abi: erc3009DepositCollectorAbi, functionName: 'x402BatchSettlement' })
 */
export const erc3009DepositCollectorAbi = parseAbi([
  'function collect(address payer, address token, uint256 amount, bytes32 channelId, bytes collectorData)',
  'function x402BatchSettlement() view returns (address)',
  'error OnlyX402BatchSettlement()',
  'error InvalidX402BatchSettlementAddress()',
]);

/**
 * `Permit2DepositCollector`: `collect` (callable only by the escrow) pulls a deposit with Permit2
 * `permitWitnessTransferFrom` (witness `DepositWitness(bytes32 channelId)`, spender: this collector); its
 * `collectorData` is `abi.encode(uint256 nonce, uint256 deadline, bytes permit2Signature, bytes eip2612PermitData)`.
 *
 * @example readContract({ address: PERMIT2_DEPOSIT_COLLECTOR_ADDRESS, abi: permit2DepositCollectorAbi, functionName: 'PERMIT2' })
 */
export const permit2DepositCollectorAbi = parseAbi([
  'function collect(address payer, address token, uint256 amount, bytes32 channelId, bytes collectorData)',
  'function x402BatchSettlement() view returns (address)',
  'function PERMIT2() view returns (address)',
  'function DEPOSIT_WITNESS_TYPEHASH() view returns (bytes32)',
  'function DEPOSIT_WITNESS_TYPE_STRING() view returns (string)',
  'event EIP2612PermitFailedWithReason(address indexed token, address indexed owner, string reason)',
  'event EIP2612PermitFailedWithPanic(address indexed token, address indexed owner, uint256 errorCode)',
  'event EIP2612PermitFailedWithData(address indexed token, address indexed owner, bytes data)',
  'error OnlyX402BatchSettlement()',
  'error InvalidX402BatchSettlementAddress()',
  'error InvalidPermit2Address()',
  'error Permit2612AmountMismatch()',
]);
