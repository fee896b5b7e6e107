/**
 * Import cycles among a tree's TypeScript modules, read from the source with the TypeScript parser:
 * every static `import` and `export ... from` of a relative path (type-only ones too, since a cycle of
 * types is still two modules that cannot be read one without the other). Dynamic `import()` is left
 * out: it is how a module defers a load on purpose.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** A set of modules that import each other, directly or through one another, as paths relative to the scanned root. */
export type ImportCycle = readonly string[];

function sourceFiles(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist') sourceFiles(path, out);
    } else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) {
      out.push(path);
    }
  }
  return out;
}

function relativeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    const target = resolve(dirname(file), specifier.text.replace(/\.js$/, '.ts'));
    const candidates = [target, join(target.replace(/\.ts$/, ''), 'index.ts')];
    const hit = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
    if (hit) found.push(hit);
  }
  return found;
}

/**
 * The import cycles among the non-test modules under `dirs` (each a package's `src`), as strongly
 * connected components of the import graph; `[]` when there are none. Paths are relative to `root`.
 *
 * @example
 * findImportCycles('/repo', ['/repo/packages/core/src']) // [] or [['packages/core/src/a.ts', 'packages/core/src/b.ts']]
 */
export function findImportCycles(root: string, dirs: readonly string[]): ImportCycle[] {
  const graph = new Map<string, string[]>();
  for (const dir of dirs) for (const file of sourceFiles(dir, [])) graph.set(file, relativeImports(file));
  // Tarjan's strongly connected components
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: ImportCycle[] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(to) ?? 0));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(to) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) {
      cycles.push(component.map((file) => relative(root, file)).sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}
