/**
 * The public surface of the workspace packages, read from their sources with the TypeScript checker: every
 * name each entry point of a package's `package.json` "exports" map gives out, what kind of thing it is,
 * and whether its TSDoc carries an `@example`. The test beside this file holds each package to its README
 * (every exported name documented there) and every exported function to an example.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** One name an entry point exports. */
export type PublicExport = {
  /** The package's npm name, e.g. `@x402kit/core`. */
  readonly packageName: string;
  /** The entry point's subpath in the exports map, `.` for the main one. */
  readonly entry: string;
  readonly name: string;
  readonly kind: 'function' | 'class' | 'value' | 'type';
  /** Whether any of its declarations has TSDoc. */
  readonly documented: boolean;
  /** Whether any of its declarations has an `@example` tag. */
  readonly hasExample: boolean;
  /** The first sentence of its TSDoc, on one line ('' without one). */
  readonly summary: string;
  /** The declaring file, relative to the package folder. */
  readonly file: string;
};

/** The folders under `packages/` whose exports are public API (the CLI's only serve its bin and tests). */
export const PUBLIC_PACKAGES = [
  'core',
  'payment-permit',
  'evm',
  'tron',
  'svm',
  'http',
  'facilitator',
  'devnet',
  'mcp',
  'a2a',
] as const;

type ExportsMap = Record<string, { source?: string } | string>;

function entryFiles(packageDir: string): { name: string; entries: { entry: string; file: string }[] } {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    name: string;
    exports?: ExportsMap;
  };
  const entries: { entry: string; file: string }[] = [];
  for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
    const source = typeof target === 'string' ? undefined : target.source;
    if (source === undefined || entry.includes('*') || isInternalEntry(entry)) continue;
    entries.push({ entry, file: join(packageDir, source) });
  }
  return { name: manifest.name, entries };
}

/**
 * Whether an exports-map subpath is one the packages share among themselves (`./internal`, or one
 * under it): not public API, so neither held to the README nor listed in its API section.
 *
 * @example isInternalEntry('./internal') // true
 */
export function isInternalEntry(entry: string): boolean {
  return entry === './internal' || entry.startsWith('./internal/');
}

function isFunctionLike(declaration: ts.Declaration): boolean {
  if (ts.isFunctionDeclaration(declaration)) return true;
  if (ts.isVariableDeclaration(declaration)) {
    const init = declaration.initializer;
    return init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init));
  }
  return false;
}

function kindOf(
  symbol: ts.Symbol,
  declarations: readonly ts.Declaration[],
  checker: ts.TypeChecker,
): PublicExport['kind'] {
  if (declarations.some(isFunctionLike)) return 'function';
  // a constant made by a factory (`export const verify = bindVerifier(chain)`) is a function too
  const variable = declarations.find(ts.isVariableDeclaration);
  if (variable && checker.getTypeAtLocation(variable).getCallSignatures().length > 0) return 'function';
  if (declarations.some(ts.isClassDeclaration)) return 'class';
  if (symbol.flags & ts.SymbolFlags.Value) return 'value';
  return 'type';
}

/** An `export type { X }` of a name that is also a value (a zod schema) exports only its type. */
function typeOnly(exported: ts.Symbol): boolean {
  return (exported.declarations ?? []).some(
    (d) => ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly),
  );
}

function docNodes(declaration: ts.Declaration): readonly (ts.JSDoc | ts.JSDocTag)[] {
  const host =
    ts.isVariableDeclaration(declaration) && ts.isVariableStatement(declaration.parent.parent)
      ? declaration.parent.parent
      : declaration;
  return ts.getJSDocCommentsAndTags(host);
}

function summaryOf(docs: readonly (ts.JSDoc | ts.JSDocTag)[]): string {
  for (const doc of docs) {
    if (!ts.isJSDoc(doc) || doc.comment === undefined) continue;
    const raw = typeof doc.comment === 'string' ? doc.comment : (ts.getTextOfJSDocComment(doc.comment) ?? '');
    const paragraph = (raw.trim().split(/\n\s*\n/)[0] ?? '')
      .replace(/\{@link(?:code|plain)?\s+([^}|\s]+)[^}]*\}/g, '`$1`')
      .replace(/\s+/g, ' ')
      .trim();
    const end = paragraph.search(/(?<!\b(?:e\.g|i\.e|etc))\.(\s|$)/);
    return (end === -1 ? paragraph : paragraph.slice(0, end + 1)).replace(/:$/, '.');
  }
  return '';
}

/**
 * Lists every name the entry points of the given package folders export.
 *
 * @example
 * ```ts
 * const names = readPublicSurface(['packages/core']);
 * const missing = names.filter((e) => e.kind === 'function' && !e.hasExample);
 * ```
 */
export function readPublicSurface(packageDirs: readonly string[]): PublicExport[] {
  const packages = packageDirs.map((dir) => ({ dir, ...entryFiles(dir) }));
  const rootNames = packages.flatMap((p) => p.entries.map((e) => e.file)).filter((f) => existsSync(f));
  const program = ts.createProgram(rootNames, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['source'],
    allowJs: false,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const out: PublicExport[] = [];
  for (const pkg of packages) {
    for (const { entry, file } of pkg.entries) {
      const source = program.getSourceFile(file);
      const moduleSymbol = source && checker.getSymbolAtLocation(source);
      if (!moduleSymbol) continue;
      for (const exported of checker.getExportsOfModule(moduleSymbol)) {
        const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        const declarations = symbol.declarations ?? [];
        const docs = declarations.flatMap(docNodes);
        const tags = docs.flatMap((d) => (ts.isJSDoc(d) ? (d.tags ?? []) : [d]));
        const declaring = declarations[0]?.getSourceFile().fileName ?? file;
        out.push({
          packageName: pkg.name,
          entry,
          name: exported.name,
          kind: typeOnly(exported) ? 'type' : kindOf(symbol, declarations, checker),
          documented: docs.some((d) => ts.isJSDoc(d)),
          hasExample: tags.some((t) => t.tagName.text === 'example'),
          summary: summaryOf(docs),
          file: declaring.startsWith(pkg.dir) ? declaring.slice(pkg.dir.length + 1) : declaring,
        });
      }
    }
  }
  return out;
}

/** The markers around the generated API section of a package README. */
export const API_SECTION_START =
  '<!-- api:start: generated by `node --import tsx scripts/api-docs.ts` from the TSDoc -->';
/** The marker after the generated API section of a package README. */
export const API_SECTION_END = '<!-- api:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function describe(row: PublicExport, rows: readonly PublicExport[]): string {
  if (row.summary !== '') return row.summary;
  const sibling = rows.find(
    (r) => r.file === row.file && r.summary !== '' && (r.kind === 'function' || r.kind === 'class'),
  );
  return sibling ? `declared with \`${sibling.name}\` (${row.file})` : `declared in ${row.file}`;
}

/**
 * The "API" section of one package's README: per entry point, a table of the names it exports with
 * the first sentence of their TSDoc (names an earlier entry point already lists are named in one line).
 *
 * @example
 * ```ts
 * const section = renderApiSection(readPublicSurface(['packages/tron']), '@x402kit/tron');
 * ```
 */
export function renderApiSection(rows: readonly PublicExport[], packageName: string): string {
  const own = rows.filter((r) => r.packageName === packageName);
  const entries = [...new Set(own.map((r) => r.entry))];
  const listed = new Set<string>();
  const out: string[] = [API_SECTION_START, '## API', ''];
  out.push(
    'Every name the package exports, per entry point, with the first sentence of its TSDoc (each exported',
    'function carries an `@example` there). Anything not listed here is internal and may change.',
    '',
  );
  for (const entry of entries) {
    const here = own.filter((r) => r.entry === entry).sort((a, b) => a.name.localeCompare(b.name));
    const specifier = entry === '.' ? packageName : `${packageName}/${entry.replace(/^\.\//, '')}`;
    out.push(`### \`${specifier}\``, '');
    const fresh = here.filter((r) => !listed.has(r.name));
    const again = here.filter((r) => listed.has(r.name));
    if (fresh.length > 0) {
      out.push('| Export | Kind | What it is |', '| --- | --- | --- |');
      for (const row of fresh) out.push(`| \`${row.name}\` | ${row.kind} | ${cell(describe(row, own))} |`);
      out.push('');
    }
    if (again.length > 0) {
      out.push(`Also exported here, listed above: ${again.map((r) => `\`${r.name}\``).join(', ')}.`, '');
    }
    for (const row of here) listed.add(row.name);
  }
  out.push(API_SECTION_END);
  return out.join('\n');
}

/**
 * Puts `section` in place of the README's generated API section, or at its end when it has none.
 *
 * @example
 * ```ts
 * writeFileSync(path, replaceApiSection(readFileSync(path, 'utf8'), section));
 * ```
 */
export function replaceApiSection(readme: string, section: string): string {
  const start = readme.indexOf(API_SECTION_START);
  const end = readme.indexOf(API_SECTION_END);
  if (start === -1 || end === -1) return `${readme.trimEnd()}\n\n${section}\n`;
  return `${readme.slice(0, start)}${section}${readme.slice(end + API_SECTION_END.length)}`;
}
