import type { Address, Hex } from 'viem';
import { hexToBigInt, keccak256, numberToHex } from 'viem';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';

/** One state variable of solc's `storageLayout` output, as written into the generated artifacts. */
export interface StorageVariableLayout {
  readonly label: string;
  readonly slot: number;
  readonly offset: number;
  readonly type: string;
  /** solc's encoding: `inplace`, `bytes` (string/bytes), `mapping` or `dynamic_array`. */
  readonly encoding: string;
  readonly numberOfBytes: number;
}

/** Parameters of {@link copyContract}. */
export interface CopyContractParameters {
  /** Address of a deployed instance (its constructor has run). */
  from: Address;
  /** Where to put the copy. */
  to: Address;
  /** The contract's storage layout; mapping contents are not copied (a constructor rarely writes them). */
  storageLayout: readonly StorageVariableLayout[];
}

/**
 * Copies a deployed contract to another address on anvil: the deployed runtime code (`eth_getCode`, so the
 * immutables the constructor filled in come along) and every storage slot of its non-mapping state variables,
 * including the data slots of long strings.
 *
 * @example
 * ```ts
 * await copyContract(client, {
 *   from: deployedAt,
 *   to: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
 *   storageLayout: eip3009TokenArtifact.storageLayout,
 * });
 * ```
 */
export async function copyContract(
  client: DevnetClient,
  { from, to, storageLayout }: CopyContractParameters,
): Promise<{ slotsCopied: number }> {
  const [code, values] = await Promise.all([
    client.getCode({ address: from }),
    readSlots(client, from, fixedSlots(storageLayout)),
  ]);
  if (code === undefined || code === '0x') {
    throw new DevnetSetupError('copy.code', `no code at ${from} to copy`);
  }

  // Long strings/bytes (>= 32 bytes) keep their data at keccak256(slot) + i.
  const dataSlots: bigint[] = [];
  for (const variable of storageLayout) {
    if (variable.encoding === 'dynamic_array') {
      const length = values.get(BigInt(variable.slot)) ?? 0n;
      if (length !== 0n) {
        throw new DevnetSetupError(
          'copy.storage',
          `copying the dynamic array ${variable.label} is not supported`,
        );
      }
    }
    if (variable.encoding !== 'bytes') continue;
    const word = values.get(BigInt(variable.slot)) ?? 0n;
    if ((word & 1n) === 0n) continue; // short form: data and length live in the slot itself
    const length = (word - 1n) / 2n;
    const base = hexToBigInt(keccak256(slotHex(BigInt(variable.slot))));
    for (let i = 0n; i < (length + 31n) / 32n; i++) dataSlots.push(base + i);
  }
  const dataValues = await readSlots(client, from, dataSlots);

  const all = new Map([...values, ...dataValues]);
  await Promise.all([
    client.setCode({ address: to, bytecode: code }),
    ...[...all].map(([slot, value]) =>
      client.setStorageAt({ address: to, index: slotHex(slot), value: numberToHex(value, { size: 32 }) }),
    ),
  ]);
  return { slotsCopied: all.size };
}

/** Slots holding value types, string/bytes heads and array lengths (not mapping contents). */
function fixedSlots(layout: readonly StorageVariableLayout[]): bigint[] {
  const slots = new Set<bigint>();
  for (const variable of layout) {
    if (variable.encoding === 'mapping') continue;
    const words = variable.encoding === 'inplace' ? Math.max(1, Math.ceil(variable.numberOfBytes / 32)) : 1;
    for (let i = 0; i < words; i++) slots.add(BigInt(variable.slot + i));
  }
  return [...slots];
}

async function readSlots(client: DevnetClient, address: Address, slots: readonly bigint[]) {
  const values = await Promise.all(
    slots.map((slot) => client.getStorageAt({ address, slot: slotHex(slot) })),
  );
  return new Map(slots.map((slot, i) => [slot, hexToBigInt(values[i] ?? '0x0')]));
}

function slotHex(slot: bigint): Hex {
  return numberToHex(slot, { size: 32 });
}
