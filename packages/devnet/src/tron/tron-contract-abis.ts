/** One parameter of a TRON ABI entry (`components` kept for tuples so TronWeb can encode structs). */
export interface TronAbiParam {
  name: string;
  type: string;
  indexed?: boolean;
  components?: readonly TronAbiParam[];
}

/** One entry of `abi.entrys` in `/wallet/getcontract` (TRON capitalizes `type` and `stateMutability`). */
export interface TronAbiEntry {
  type: string;
  name?: string;
  inputs?: readonly TronAbiParam[];
  outputs?: readonly TronAbiParam[];
  stateMutability?: string;
  anonymous?: boolean;
}

interface SolidityAbiParam {
  readonly name?: string;
  readonly type: string;
  readonly indexed?: boolean;
  readonly components?: readonly SolidityAbiParam[];
}

interface SolidityAbiItem {
  readonly type: string;
  readonly name?: string;
  readonly inputs?: readonly SolidityAbiParam[];
  readonly outputs?: readonly SolidityAbiParam[];
  readonly stateMutability?: string;
  readonly anonymous?: boolean;
}

function capitalize(text: string): string {
  return text.length === 0 ? text : text[0]?.toUpperCase() + text.slice(1);
}

function param(p: SolidityAbiParam): TronAbiParam {
  const out: TronAbiParam = { name: p.name ?? '', type: p.type };
  if (p.indexed) out.indexed = true;
  if (p.components) out.components = p.components.map(param);
  return out;
}

/**
 * Converts a solc/viem ABI into TRON's `abi.entrys` form (`Function`, `Event`, `View`, `Nonpayable`, …).
 *
 * @example
 * ```ts
 * toTronAbi(tronUsdtTokenArtifact.abi); // [{ type: 'Function', name: 'approve', stateMutability: 'Nonpayable', … }, …]
 * ```
 */
export function toTronAbi(abi: readonly SolidityAbiItem[]): TronAbiEntry[] {
  return abi.map((item) => {
    const entry: TronAbiEntry = { type: capitalize(item.type) };
    if (item.name !== undefined) entry.name = item.name;
    if (item.anonymous) entry.anonymous = true;
    if (item.inputs) entry.inputs = item.inputs.map(param);
    if (item.outputs) entry.outputs = item.outputs.map(param);
    if (item.stateMutability) entry.stateMutability = capitalize(item.stateMutability);
    return entry;
  });
}
