import type { Hex } from 'viem';
import { keccak256 } from 'viem';
import { tronAddressToBase58, tronAddressToHex } from './tron-address.js';
import { WEI_PER_SUN } from './tron-nile.js';
import type { TronHandler, TronNodeContext, TronRequestBody } from './tron-node-context.js';
import { TronRequestError } from './tron-transactions.js';

/** Operations bitmap of TRON's default active permission (every contract type but the witness ones). */
const ACTIVE_OPERATIONS = '7fff1fc0033efb0f000000000000000000000000000000000000000000000000';

function addressParam(body: TronRequestBody, name: string): string {
  const value = body[name];
  if (typeof value !== 'string') throw new TronRequestError(`${name} is required`);
  try {
    return tronAddressToHex(value);
  } catch {
    throw new TronRequestError(`invalid ${name}: ${value}`);
  }
}

function isVisible(body: TronRequestBody): boolean {
  return body.visible === true || body.visible === 'true';
}

/**
 * `/wallet/getaccount` (and `/walletsolidity/getaccount` at the solidified block): `balance` in SUN
 * (anvil wei / 10^12) and default owner/active permissions; `{}` for an inactive account (no TRX and no
 * transaction sent), as TRON answers for accounts never activated.
 *
 * @example
 * ```ts
 * const handler = getAccount(false); await handler(context, { address: 'T…', visible: true });
 * ```
 */
export function getAccount(solidified: boolean): TronHandler {
  return async (context, body) => {
    const hex = addressParam(body, 'address');
    const evm: Hex = `0x${hex.slice(2)}`;
    const block = solidified ? await context.blocks.solidifiedNumber() : undefined;
    const [wei, nonce] = await Promise.all([
      context.rpc.getBalance(evm, block),
      context.rpc.getNonce(evm, block),
    ]);
    if (wei === 0n && nonce === 0n) return {};
    const shown = isVisible(body) ? tronAddressToBase58(hex) : hex;
    const keys = [{ address: shown, weight: 1 }];
    const account: Record<string, unknown> = {
      address: shown,
      owner_permission: { permission_name: 'owner', threshold: 1, keys },
      active_permission: [
        {
          type: 'Active',
          id: 2,
          permission_name: 'active',
          threshold: 1,
          operations: ACTIVE_OPERATIONS,
          keys,
        },
      ],
      account_resource: {},
      frozenV2: [{}, { type: 'ENERGY' }, { type: 'TRON_POWER' }],
    };
    const sun = wei / WEI_PER_SUN;
    if (sun > 0n) account.balance = Number(sun);
    return account;
  };
}

/**
 * `/wallet/getaccountresource` and `/wallet/getaccountnet`: the free bandwidth allowance and network totals;
 * no staking, so no energy of one's own (every transaction burns TRX for energy).
 *
 * @example
 * ```ts
 * await getAccountResource(context, { address: 'T…', visible: true }); // { freeNetLimit: 600, … }
 * ```
 */
export const getAccountResource: TronHandler = async (_context, body) => {
  addressParam(body, 'address');
  return {
    freeNetLimit: 600,
    TotalNetLimit: 43_200_000_000,
    TotalNetWeight: 26_000_000_000,
    TotalEnergyLimit: 180_000_000_000,
    TotalEnergyWeight: 2_400_000_000,
  };
};

async function contractJson(context: TronNodeContext, body: TronRequestBody) {
  const hex = addressParam(body, 'value');
  const code = await context.rpc.getCode(`0x${hex.slice(2)}`);
  if (code === '0x') return undefined;
  const known = context.contracts.get(hex);
  const show = (address: string) => (isVisible(body) ? tronAddressToBase58(address) : address);
  const smart: Record<string, unknown> = {
    bytecode: code.slice(2),
    name: known?.name ?? '',
    origin_address: show(`41${'0'.repeat(40)}`),
    contract_address: show(hex),
    abi: known ? { entrys: known.abi } : {},
    origin_energy_limit: 10_000_000,
    code_hash: keccak256(code).slice(2),
    consume_user_resource_percent: 100,
  };
  return { smart, code };
}

/**
 * `/wallet/getcontract`: name, ABI (`abi.entrys`, known for the devnet's own contracts), runtime code as
 * `bytecode`; `{}` when the address has no code.
 *
 * @example
 * ```ts
 * await getContract(context, { value: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf', visible: true });
 * ```
 */
export const getContract: TronHandler = async (context, body) =>
  (await contractJson(context, body))?.smart ?? {};

/**
 * `/wallet/getcontractinfo`: `{runtimecode, smart_contract, contract_state}`; `{}` when there is no code.
 *
 * @example
 * ```ts
 * const { smart_contract } = await getContractInfo(context, { value: 'T…', visible: true });
 * ```
 */
export const getContractInfo: TronHandler = async (context, body) => {
  const found = await contractJson(context, body);
  if (!found) return {};
  return {
    runtimecode: found.code.slice(2),
    smart_contract: found.smart,
    contract_state: { energy_usage: 0, energy_factor: 0, update_cycle: 0 },
  };
};

function txidParam(body: TronRequestBody): string {
  const value = typeof body.value === 'string' ? body.value.replace(/^0x/, '').toLowerCase() : '';
  if (!/^[0-9a-f]{64}$/.test(value)) throw new TronRequestError('value must be a 32-byte transaction id');
  return value;
}

/**
 * `/wallet/gettransactionbyid`: the signed transaction, with `ret[0].contractRet` once executed; `{}` if unknown.
 *
 * @example
 * ```ts
 * const handler = getTransactionById(false); await handler(context, { value: txid });
 * ```
 */
export function getTransactionById(solidified: boolean): TronHandler {
  return async (context, body) => {
    const txid = txidParam(body);
    const entry = context.ledger.get(txid);
    if (!entry) return {};
    const settled = await context.ledger.settle(txid, { wait: false });
    if (solidified && (!settled || settled.blockNumber > (await context.blocks.solidifiedNumber())))
      return {};
    return settled ? { ret: [{ contractRet: settled.outcome.result }], ...entry.tx } : { ...entry.tx };
  };
}

/**
 * `/wallet/gettransactioninfobyid` (`solidified`: `/walletsolidity/…`, only once the block is solidified):
 * TRON's info for an executed transaction, `{}` while unknown or not yet in a (solidified) block.
 *
 * @example
 * ```ts
 * const info = await getTransactionInfoById(true)(context, { value: txid }); // { receipt: { result: 'SUCCESS' }, … }
 * ```
 */
export function getTransactionInfoById(solidified: boolean): TronHandler {
  return async (context, body) => {
    const txid = txidParam(body);
    const settled = await context.ledger.settle(txid, { wait: false });
    if (!settled) return {};
    if (solidified && settled.blockNumber > (await context.blocks.solidifiedNumber())) return {};
    const info = { ...settled.info };
    if (body.visible !== undefined) {
      info.contract_address = isVisible(body)
        ? tronAddressToBase58(info.contract_address)
        : tronAddressToHex(info.contract_address);
    }
    return info;
  };
}
