/**
 * `exact` on the local Solana devnet: the devnet with its payer and fee payer, our facilitator (the
 * core engine over `createExactSvmFacilitator`) and an offer of 1000 atomic units; and the official
 * facilitator engine (@x402/core + @x402/svm) on the same devnet, for interop tests.
 */
import assert from 'node:assert/strict';
import {
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  type Instruction,
  partiallySignTransactionMessageWithSigners,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
} from '@solana/kit';
import { x402Facilitator } from '@x402/core/facilitator';
import { toFacilitatorSvmSigner } from '@x402/svm';
import { registerExactSvmScheme } from '@x402/svm/exact/facilitator';
import {
  createFacilitator,
  type Facilitator,
  type PaymentPayload,
  type PaymentRequirements,
} from '@x402kit/core';
import { type SolanaDevnet, solanaDevnetSigner, startSolanaDevnet } from '@x402kit/devnet';
import { createExactSvmFacilitator } from '@x402kit/svm';

/** A Solana keypair signer, as the devnet gives its accounts. */
export type SvmDevnetSigner = Awaited<ReturnType<typeof solanaDevnetSigner>>;

/** What {@link startSvmExactStack} starts. */
export type SvmExactStack = {
  devnet: SolanaDevnet;
  payer: SvmDevnetSigner;
  feePayer: SvmDevnetSigner;
  /** Our `exact` SVM facilitator in the core engine, paying fees from the devnet's fee payer. */
  ours: Facilitator;
  /** 1000 atomic units of the chosen mint to `payTo`, fees paid by `feePayer`. */
  requirements: PaymentRequirements;
};

/**
 * `exact` requirements on the Solana devnet: 1000 atomic units of `asset` (default its USDC) to its
 * `payTo` account, fees paid by `feePayer`, 60 s to pay.
 *
 * @example
 * const requirements = svmExactRequirements(devnet, feePayer.address, devnet.pyusd.address)
 */
export function svmExactRequirements(
  devnet: Pick<SolanaDevnet, 'network' | 'usdc' | 'accounts'>,
  feePayer: string,
  asset: string = devnet.usdc.address,
): PaymentRequirements {
  return {
    scheme: 'exact',
    network: devnet.network,
    asset,
    amount: '1000',
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 60,
    extra: { feePayer },
  };
}

/**
 * Start the Solana devnet with our facilitator and requirements for `mint` (default `usdc`; `pyusd`
 * is the Token-2022 mint). Stop it with `stack.devnet.stop()`.
 *
 * @example
 * ;({ devnet, payer, feePayer, ours, requirements } = await startSvmExactStack({ mint: 'pyusd' }))
 */
export async function startSvmExactStack(options: { mint?: 'usdc' | 'pyusd' } = {}): Promise<SvmExactStack> {
  const devnet = await startSolanaDevnet();
  const payer = await solanaDevnetSigner('payer');
  const feePayer = await solanaDevnetSigner('feePayer');
  const svm = createExactSvmFacilitator({
    networks: { [devnet.network]: { rpcUrl: devnet.rpcUrl } },
    feePayers: [devnet.accounts.feePayer.secretKey],
    pollingIntervalMs: 20,
  });
  const ours = createFacilitator({ schemes: [{ networks: svm.networks, facilitator: svm }] });
  const requirements = svmExactRequirements(devnet, feePayer.address, devnet[options.mint ?? 'usdc'].address);
  return { devnet, payer, feePayer, ours, requirements };
}

/**
 * The official facilitator engine with @x402/svm's `exact` registered on the stack's devnet, paying
 * fees from the same fee payer as ours.
 *
 * @example
 * const official = officialSvmFacilitator(stack)
 * await official.verify(payment as never, requirements as never)
 */
export function officialSvmFacilitator(stack: Pick<SvmExactStack, 'devnet' | 'feePayer'>): x402Facilitator {
  const official = new x402Facilitator();
  registerExactSvmScheme(official, {
    signer: toFacilitatorSvmSigner(stack.feePayer, { defaultRpcUrl: stack.devnet.rpcUrl }),
    networks: stack.devnet.network as `${string}:${string}`,
  });
  return official;
}

/**
 * A version-0 transaction of `instructions` whose fees `feePayer` pays, on the devnet's latest blockhash
 * and signed by every signer the instructions carry (not the fee payer): the base64 wire transaction of an
 * `exact` SVM payload, for tests that build one by hand.
 *
 * @example
 * const transaction = await feePayerTransaction(devnet.rpcUrl, feePayer.address, [...budget, transfer, memo])
 */
export async function feePayerTransaction(
  rpcUrl: string,
  feePayer: Parameters<typeof setTransactionMessageFeePayer>[0],
  instructions: readonly Instruction[],
): Promise<string> {
  const { value } = await createSolanaRpc(rpcUrl).getLatestBlockhash().send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(feePayer, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(value, m),
  );
  return getBase64EncodedWireTransaction(await partiallySignTransactionMessageWithSigners(message));
}

/**
 * The resource of the SVM interop tests' payments.
 *
 * @example
 * const payment: PaymentPayload = { x402Version: 2, resource: SVM_PAID_RESOURCE, accepted: requirements, payload };
 */
export const SVM_PAID_RESOURCE = {
  url: 'http://127.0.0.1/paid',
  description: 'a paid resource',
  mimeType: 'application/json',
};

/**
 * Pays `requirements` with `transaction` and asserts that our facilitator and the official one both
 * refuse it in `verify`, with `reason`; returns the payment (to settle it too, say).
 *
 * @example
 * const payment = await assertSameRefusal({ ours, official }, requirements, transaction, SvmReasons.simulationFailed);
 */
export async function assertSameRefusal(
  facilitators: { ours: Facilitator; official: x402Facilitator },
  requirements: PaymentRequirements,
  transaction: string,
  reason: string,
): Promise<PaymentPayload> {
  const payment: PaymentPayload = {
    x402Version: 2,
    resource: SVM_PAID_RESOURCE,
    accepted: requirements,
    payload: { transaction },
  };
  const theirs = await facilitators.official.verify(payment as never, requirements as never);
  const mine = await facilitators.ours.verify(payment, requirements);
  assert.deepEqual(
    { ours: [mine.isValid, mine.invalidReason], official: [theirs.isValid, theirs.invalidReason] },
    { ours: [false, reason], official: [false, reason] },
  );
  return payment;
}
