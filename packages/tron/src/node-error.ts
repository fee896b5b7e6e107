import { X402Error } from '@x402kit/core';
import { TronReasons } from './reasons.js';

/**
 * Reason codes of {@link TronNodeError}. Broadcast failures carry TRON's own code, lowercased:
 * `tron_broadcast_sigerror`, `tron_broadcast_transaction_expiration_error`, `tron_broadcast_dup_transaction_error`,
 * `tron_broadcast_contract_validate_error`, ...
 *
 * @example
 * const r: TronNodeReason = 'tron_node_rate_limited';
 */
export type TronNodeReason =
  | typeof TronReasons.nodeRequest
  | typeof TronReasons.nodeTimeout
  | typeof TronReasons.nodeRateLimited
  | typeof TronReasons.nodeHttpError
  | typeof TronReasons.nodeBadResponse
  | typeof TronReasons.nodeRejected
  | typeof TronReasons.nodeContractFailed
  | typeof TronReasons.waitTimeout
  | `tron_broadcast_${string}`;

/**
 * A failed call to a TRON node: transport (timeout, HTTP status, rate limit), a malformed answer, or
 * TRON's own refusal (`{code, message}` with the message decoded from hex).
 *
 * @example
 * try { await node.broadcastTransaction(signed) } catch (e) {
 *   if (e instanceof TronNodeError && e.reason === 'tron_broadcast_dup_transaction_error') { ... }
 * }
 */
export class TronNodeError extends X402Error {
  override name = 'TronNodeError';
  declare readonly reason: TronNodeReason;
  /** API path called, e.g. `/wallet/broadcasttransaction`. */
  readonly path: string;
  /** HTTP status, when a response arrived. */
  readonly status: number | undefined;
  /** TRON's own code (`SIGERROR`, `CONTRACT_VALIDATE_ERROR`, ...), when the node gave one. */
  readonly tronCode: string | undefined;
  /** TRON's message, decoded from hex when it was hex. */
  readonly tronMessage: string | undefined;

  constructor(
    reason: TronNodeReason,
    message: string,
    info: { path: string; status?: number; tronCode?: string; tronMessage?: string; cause?: unknown },
  ) {
    super(reason, message, {
      ...(info.cause === undefined ? {} : { cause: info.cause }),
      details: {
        path: info.path,
        status: info.status,
        tronCode: info.tronCode,
        tronMessage: info.tronMessage,
      },
    });
    this.path = info.path;
    this.status = info.status;
    this.tronCode = info.tronCode;
    this.tronMessage = info.tronMessage;
  }
}

/**
 * Decodes TRON's hex-encoded error text (`"7369676e..."` → `"sign..."`); text that is not hex is returned as is.
 *
 * @example
 * decodeTronMessage('56616c6964617465207369676e6174757265206572726f72'); // 'Validate signature error'
 */
export function decodeTronMessage(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  const body = message.replace(/^0x/, '');
  if (body.length === 0 || body.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(body)) return message;
  const bytes = new Uint8Array(body.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(body.slice(2 * i, 2 * i + 2), 16);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // hex that is not printable text (e.g. ABI revert data) stays hex
    return [...text].every(printable) ? text : message;
  } catch {
    return message;
  }
}

/**
 * The reason code for a TRON broadcast failure code: `tron_broadcast_<code lowercased>`.
 *
 * @example
 * broadcastReason('SIGERROR'); // 'tron_broadcast_sigerror'
 */
export function broadcastReason(code: string): `tron_broadcast_${string}` {
  const clean = code
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 60);
  return `${TronReasons.broadcastPrefix}${clean || 'unknown'}`;
}

function printable(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}
