/** Reading thrown values the same way in every package. */

/**
 * The text of a thrown value: its `shortMessage` where it has one (viem's and ethers' errors, whose
 * `message` adds pages of request details), else its `message`, else the value as a string.
 *
 * @example
 * errorText(new Error('boom')); // 'boom'
 * errorText('plain'); // 'plain'
 */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const short: unknown = Reflect.get(error, 'shortMessage');
  return typeof short === 'string' && short !== '' ? short : error.message;
}
