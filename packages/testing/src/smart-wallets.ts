/**
 * Smart-wallet payers on the devnet for tests: counterfactual ERC-1271 wallets of
 * `SmartWalletFactory` (ERC-6492 signatures until deployed), deployed ones approving Permit2, and
 * signers that sign as the wallet with its owner's key.
 */
import {
  confirmTransaction,
  createDevnetClient,
  type MultiDevnet,
  mintWith,
  SMART_WALLET_FACTORY_ADDRESS,
  smartWalletAddress,
  smartWalletArtifact,
  smartWalletDeployData,
  smartWalletFactoryArtifact,
} from '@x402kit/devnet';
import {
  buildPermit2Approval,
  createExactEvmFacilitator,
  type ExactEvmFacilitator,
  type ExactEvmSigner,
} from '@x402kit/evm';
import {
  type Address,
  encodeFunctionData,
  type Hex,
  type LocalAccount,
  serializeErc6492Signature,
  type TypedDataDefinition,
} from 'viem';

/** The two `exact` facilitators smart-wallet tests compare (each to be closed by the caller). */
export type SmartWalletFacilitators = {
  /** Deploys ERC-6492 wallets through the allowlisted `SmartWalletFactory`. */
  allowlisting: ExactEvmFacilitator;
  /** The default: no factory allowed. */
  closed: ExactEvmFacilitator;
};

/**
 * Our `exact` facilitator on the devnet twice: with `SmartWalletFactory` on its ERC-6492 allowlist,
 * and with the default (empty) list.
 *
 * @example const { allowlisting, closed } = createSmartWalletFacilitators(devnets)
 */
export function createSmartWalletFacilitators(devnets: MultiDevnet): SmartWalletFacilitators {
  const common = {
    networks: { [devnets.network]: { rpcUrl: devnets.rpcUrl } },
    signers: [devnets.accounts.facilitator.privateKey],
    pollingIntervalMs: 20,
  };
  return {
    allowlisting: createExactEvmFacilitator({
      ...common,
      erc6492Factories: { [devnets.network]: [SMART_WALLET_FACTORY_ADDRESS] },
    }),
    closed: createExactEvmFacilitator(common),
  };
}

/** One test wallet: its owner, salt and (counterfactual) address. */
export type TestWallet = { owner: LocalAccount; salt: bigint; address: Address };

/**
 * A counterfactual wallet of `owner` at `salt`, funded with `amount` of `token` (not deployed).
 *
 * @example const wallet = await fundedWallet(devnets, owner, 5n, devnets.chains[0].token.address, 10_000n)
 */
export async function fundedWallet(
  devnets: MultiDevnet,
  owner: LocalAccount,
  salt: bigint,
  token: Address,
  amount: bigint,
): Promise<TestWallet> {
  const address = smartWalletAddress({ owner: owner.address, salt });
  const client = createDevnetClient(devnets.chain);
  await confirmTransaction(
    client,
    await mintWith(client, { token, owner: devnets.accounts.deployer.address, to: address, amount }),
  );
  return { owner, salt, address };
}

/**
 * Deploy the wallet through the factory (from the deployer) and, if `approveToken` is given, have
 * its owner make it approve Permit2 for that token (the owner pays that gas).
 *
 * @example await deployWallet(devnets, wallet, devnets.chains[0].token.address)
 */
export async function deployWallet(
  devnets: MultiDevnet,
  wallet: TestWallet,
  approveToken?: Address,
): Promise<void> {
  const client = createDevnetClient(devnets.chain);
  await confirmTransaction(
    client,
    await client.sendTransaction({
      account: devnets.accounts.deployer.address,
      to: SMART_WALLET_FACTORY_ADDRESS,
      data: smartWalletDeployData({ owner: wallet.owner.address, salt: wallet.salt }),
      chain: devnets.chain,
    }),
  );
  if (!approveToken) return;
  const approval = buildPermit2Approval({ token: approveToken });
  const data = encodeFunctionData({
    abi: smartWalletArtifact.abi,
    functionName: 'execute',
    args: [approval.to, 0n, approval.data],
  });
  await confirmTransaction(
    client,
    await client.sendTransaction({ account: wallet.owner, to: wallet.address, data, chain: devnets.chain }),
  );
}

/**
 * Signs as the wallet: the owner's ECDSA signature of the digest (what `SmartWallet.isValidSignature`
 * accepts). With `erc6492`, signatures of the primary types listed are wrapped for a counterfactual
 * wallet (`factory` and `calldata` default to the wallet's real deployment).
 *
 * @example const signer = walletSigner(wallet, { wrap: ['PermitWitnessTransferFrom'] })
 */
export function walletSigner(
  wallet: TestWallet,
  erc6492?: { wrap: readonly string[]; factory?: Address; calldata?: Hex },
): ExactEvmSigner {
  return {
    address: wallet.address,
    async signTypedData(typedData: TypedDataDefinition) {
      const signature = await wallet.owner.signTypedData(typedData);
      if (!erc6492?.wrap.includes(String(typedData.primaryType))) return signature;
      return serializeErc6492Signature({
        address: erc6492.factory ?? SMART_WALLET_FACTORY_ADDRESS,
        data: erc6492.calldata ?? smartWalletDeployData({ owner: wallet.owner.address, salt: wallet.salt }),
        signature,
      });
    },
  };
}

/**
 * `createAccount(owner, salt)` calldata of the factory, for building hostile wrappers.
 *
 * @example const data = createAccountData(other.address, 9n)
 */
export function createAccountData(owner: Address, salt: bigint): Hex {
  return encodeFunctionData({
    abi: smartWalletFactoryArtifact.abi,
    functionName: 'createAccount',
    args: [owner, salt],
  });
}

/**
 * Whether `address` has code on the devnet.
 *
 * @example assert.equal(await hasCode(devnets, wallet.address), false)
 */
export async function hasCode(devnets: MultiDevnet, address: Address): Promise<boolean> {
  const code = await createDevnetClient(devnets.chain).getCode({ address });
  return code !== undefined && code !== '0x';
}
