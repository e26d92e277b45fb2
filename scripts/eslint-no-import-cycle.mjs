// ESLint rule `plumbline/no-import-cycle`: a module may not reach itself again through its imports — value and
// type-only imports alike (import-x/no-cycle skips `import type` by design and has no option to count it; a cycle of
// types is still two modules that cannot be understood one without the other).
//
// Edges are every import, export-from, require() and import() of a file (ts.preProcessFile), resolved as the
// TypeScript compiler resolves them (ts.resolveModuleName with the linted project's options). Only source files of
// this repository count: anything under node_modules, in a dist/ folder or a .d.ts ends the walk (cycles between
// workspaces are refused by tsc -b's project references and by package dependencies). Each import of the linted file
// that leads back to it is reported once, with the whole cycle.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** file → its resolved in-repo imports, for the whole lint run. */
const edgesOf = new Map();

function isRepoSource(file) {
  return !/[\\/](node_modules|dist)[\\/]/.test(file) && !file.endsWith('.d.ts');
}

function resolveImport(name, fromFile, options) {
  const resolved = ts.resolveModuleName(name, fromFile, options, ts.sys).resolvedModule;
  const file = resolved && path.resolve(resolved.resolvedFileName);
  return file && isRepoSource(file) ? file : null;
}

function importsOf(file, text, options) {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.flatMap((ref) => {
    const target = resolveImport(ref.fileName, file, options);
    return target ? [{ target, pos: ref.pos, end: ref.end }] : [];
  });
}

function edges(file, options) {
  let out = edgesOf.get(file);
  if (out === undefined) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // unreadable: no edges
    }
    out = [...new Set(importsOf(file, text, options).map((i) => i.target))];
    edgesOf.set(file, out);
  }
  return out;
}

/** The shortest import path from `start` back to `goal` (both included), or null. */
function pathBack(start, goal, options) {
  const previous = new Map([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift();
    for (const next of edges(file, options)) {
      if (next === goal) {
        const route = [goal];
        for (let at = file; at !== null; at = previous.get(at)) route.unshift(at);
        return route;
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return null;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles between modules, type-only imports included.' },
    schema: [],
    messages: { cycle: 'Import cycle: {{cycle}}. Move what both sides need into a module of its own.' },
  },
  create(context) {
    const file = path.resolve(context.physicalFilename);
    if (!isRepoSource(file)) return {};
    const program = context.sourceCode.parserServices?.program;
    const options = program
      ? program.getCompilerOptions()
      : { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 };
    return {
      'Program:exit'() {
        const text = context.sourceCode.text;
        const seen = new Set();
        for (const { target, pos, end } of importsOf(file, text, options)) {
          if (seen.has(target)) continue;
          seen.add(target);
          const route = target === file ? [file] : pathBack(target, file, options);
          if (!route) continue;
          const cycle = [file, ...route];
          const root = path.dirname(file);
          context.report({
            loc: {
              start: context.sourceCode.getLocFromIndex(pos),
              end: context.sourceCode.getLocFromIndex(end),
            },
            messageId: 'cycle',
            data: { cycle: cycle.map((f) => path.relative(root, f) || path.basename(f)).join(' → ') },
          });
        }
      },
    };
  },
};
