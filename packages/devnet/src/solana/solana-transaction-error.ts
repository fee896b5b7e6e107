import type { FailedTransactionMetadata } from 'litesvm';

/** A Solana `TransactionError` as the JSON-RPC API spells it: `"AlreadyProcessed"`, `{InstructionError: [0, {Custom: 1}]}`. */
export type SolanaWireTransactionError = string | Record<string, unknown>;

// The order of litesvm's `TransactionErrorFieldless` and `InstructionErrorFieldless` (const enums, not importable).
const TRANSACTION_ERRORS = [
  'AccountInUse',
  'AccountLoadedTwice',
  'AccountNotFound',
  'ProgramAccountNotFound',
  'InsufficientFundsForFee',
  'InvalidAccountForFee',
  'AlreadyProcessed',
  'BlockhashNotFound',
  'CallChainTooDeep',
  'MissingSignatureForFee',
  'InvalidAccountIndex',
  'SignatureFailure',
  'InvalidProgramForExecution',
  'SanitizeFailure',
  'ClusterMaintenance',
  'AccountBorrowOutstanding',
  'WouldExceedMaxBlockCostLimit',
  'UnsupportedVersion',
  'InvalidWritableAccount',
  'WouldExceedMaxAccountCostLimit',
  'WouldExceedAccountDataBlockLimit',
  'TooManyAccountLocks',
  'AddressLookupTableNotFound',
  'InvalidAddressLookupTableOwner',
  'InvalidAddressLookupTableData',
  'InvalidAddressLookupTableIndex',
  'InvalidRentPayingAccount',
  'WouldExceedMaxVoteCostLimit',
  'WouldExceedAccountDataTotalLimit',
  'MaxLoadedAccountsDataSizeExceeded',
  'ResanitizationNeeded',
  'InvalidLoadedAccountsDataSizeLimit',
  'UnbalancedTransaction',
  'ProgramCacheHitMaxLimit',
  'CommitCancelled',
] as const;

const INSTRUCTION_ERRORS = [
  'GenericError',
  'InvalidArgument',
  'InvalidInstructionData',
  'InvalidAccountData',
  'AccountDataTooSmall',
  'InsufficientFunds',
  'IncorrectProgramId',
  'MissingRequiredSignature',
  'AccountAlreadyInitialized',
  'UninitializedAccount',
  'UnbalancedInstruction',
  'ModifiedProgramId',
  'ExternalAccountLamportSpend',
  'ExternalAccountDataModified',
  'ReadonlyLamportChange',
  'ReadonlyDataModified',
  'DuplicateAccountIndex',
  'ExecutableModified',
  'RentEpochModified',
  'NotEnoughAccountKeys',
  'AccountDataSizeChanged',
  'AccountNotExecutable',
  'AccountBorrowFailed',
  'AccountBorrowOutstanding',
  'DuplicateAccountOutOfSync',
  'InvalidError',
  'ExecutableDataModified',
  'ExecutableLamportChange',
  'ExecutableAccountNotRentExempt',
  'UnsupportedProgramId',
  'CallDepth',
  'MissingAccount',
  'ReentrancyNotAllowed',
  'MaxSeedLengthExceeded',
  'InvalidSeeds',
  'InvalidRealloc',
  'ComputationalBudgetExceeded',
  'PrivilegeEscalation',
  'ProgramEnvironmentSetupFailure',
  'ProgramFailedToComplete',
  'ProgramFailedToCompile',
  'Immutable',
  'IncorrectAuthority',
  'AccountNotRentExempt',
  'InvalidAccountOwner',
  'ArithmeticOverflow',
  'UnsupportedSysvar',
  'IllegalOwner',
  'MaxAccountsDataAllocationsExceeded',
  'MaxAccountsExceeded',
  'MaxInstructionTraceLengthExceeded',
  'BuiltinProgramsMustConsumeComputeUnits',
  'BorshIoError',
] as const;

function instructionError(error: unknown): SolanaWireTransactionError {
  if (typeof error === 'number') return INSTRUCTION_ERRORS[error] ?? 'GenericError';
  if (typeof error === 'object' && error !== null) {
    if ('code' in error && typeof error.code === 'number') return { Custom: error.code };
    if ('msg' in error) return 'BorshIoError';
  }
  return 'GenericError';
}

/**
 * The error of a failed litesvm transaction in Solana's JSON-RPC form (`err` of `getSignatureStatuses`,
 * `simulateTransaction`, and the `data.err` of a refused `sendTransaction`).
 *
 * @example
 * ```ts
 * toWireTransactionError(svm.sendTransaction(tx)); // "AlreadyProcessed" on a replay
 * ```
 */
export function toWireTransactionError(failed: FailedTransactionMetadata): SolanaWireTransactionError {
  const error: unknown = failed.err();
  if (typeof error === 'number') return TRANSACTION_ERRORS[error] ?? 'InvalidProgramForExecution';
  if (typeof error === 'object' && error !== null) {
    const name = error.constructor.name;
    if (name === 'TransactionErrorInstructionError' && 'index' in error && 'err' in error) {
      const inner = typeof error.err === 'function' ? (error.err as () => unknown).call(error) : undefined;
      return { InstructionError: [error.index, instructionError(inner)] };
    }
    if (name === 'TransactionErrorDuplicateInstruction' && 'index' in error) {
      return { DuplicateInstruction: error.index };
    }
    if ('accountIndex' in error) {
      const key =
        name === 'TransactionErrorInsufficientFundsForRent'
          ? 'InsufficientFundsForRent'
          : 'ProgramExecutionTemporarilyRestricted';
      return { [key]: { account_index: error.accountIndex } };
    }
  }
  return 'InvalidProgramForExecution';
}
