/**
 * Tell a recorder (a settlement ledger) that a transaction was broadcast, before the receipt
 * wait, whatever the chain. A recorder that fails must not stop the settlement it records.
 *
 * @example
 * await notifyBroadcast(options.onBroadcast, hash)
 */
export async function notifyBroadcast(
  onBroadcast: ((transaction: string) => Promise<void> | void) | undefined,
  transaction: string,
): Promise<void> {
  if (!onBroadcast) return;
  try {
    await onBroadcast(transaction);
  } catch {
    // the ledger reconciles from the chain later; the money path goes on
  }
}
