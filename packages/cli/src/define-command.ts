/**
 * What every command does before its own work: parse its flags strictly (with `-h, --help` added),
 * print its usage on `--help`, and let a command that promises one JSON object print it for an error too.
 */
import type { ParseArgsConfig, parseArgs } from 'node:util';
import { type CliContext, type Command, ExitCode } from './command.js';
import { parseFlags } from './options.js';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** The flags a command's `run` receives: `values` (with `help`) and, when allowed, `positionals`. */
export type CommandFlags<O extends ParseArgsOptionsConfig, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP; allowPositionals: P; strict: true }>
>;

/** A command described by its name, usage, flags and body; see {@link defineCommand}. */
export type CommandSpec<O extends ParseArgsOptionsConfig, P extends boolean> = {
  readonly name: string;
  readonly usage: string;
  /** The command's flags for `node:util` `parseArgs`; `-h, --help` is added. */
  readonly options: O;
  readonly allowPositionals?: P;
  run(flags: CommandFlags<O, P>, context: CliContext): Promise<number>;
  /** Sees every error the command ends with (bad flags included) before it is thrown on. */
  onError?(error: unknown, args: readonly string[], context: CliContext): void;
};

/**
 * A {@link Command} from its spec: flags parsed strictly (an unknown one is a `UsageError`), `--help`
 * printing `usage` and returning 0, then `run`.
 *
 * @example
 * export const budgetCommand: Command = defineCommand({ name: 'budget', usage, options: {}, run: async () => 0 })
 */
export function defineCommand<const O extends ParseArgsOptionsConfig, const P extends boolean = false>(
  spec: CommandSpec<O, P>,
): Command {
  return {
    name: spec.name,
    usage: spec.usage,
    async run(args, context) {
      try {
        const options = { ...spec.options, ...HELP };
        const parsed = parseFlags({ args, allowPositionals: spec.allowPositionals ?? false, options });
        if ('help' in parsed.values && parsed.values.help === true) {
          context.stdout(`${spec.usage}\n`);
          return ExitCode.ok;
        }
        // parseArgs checked every flag against `options`; the cast only names that result's type
        return await spec.run(parsed as CommandFlags<O, P>, context);
      } catch (error) {
        spec.onError?.(error, args, context);
        throw error;
      }
    },
  };
}
