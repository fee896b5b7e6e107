/**
 * A configuration mistake found when a component is created, naming the field at fault.
 *
 * @example
 * try { createExactEvmFacilitator(options) } catch (e) { if (e instanceof EvmConfigError) console.error(e.path, e.message) }
 */
export class EvmConfigError extends Error {
  override name = 'EvmConfigError';
  /** The option path, e.g. `networks["eip155:84532"].rpcUrl`. */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}
