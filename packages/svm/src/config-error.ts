/**
 * A configuration value of an SVM scheme is wrong; `path` names it (`feePayers[1]`,
 * `networks["solana:…"].rpcUrl`).
 */
export class SvmConfigError extends Error {
  override readonly name = 'SvmConfigError';
  readonly path: string;

  /**
   * @example
   * throw new SvmConfigError('feePayers', 'must list at least one secret key')
   */
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}
