/**
 * Reads and validates `<folder>/package.json`. A JSON syntax error is reported with its line and
 * column instead of a bare exception, so `plugins validate` can point at it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ManifestProblem } from './manifest-problem.ts';
import { validateManifest, type ValidationResult } from './validate-manifest.ts';

export interface ReadManifestResult extends ValidationResult {
  file: string;
  /** Parsed JSON, even when invalid (for ids and diagnostics). */
  raw?: unknown;
}

export function readManifest(folder: string): ReadManifestResult {
  const file = path.join(folder, 'package.json');
  const plugin = path.basename(folder);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { file, problems: [{ severity: 'error', plugin, pointer: '', message: `cannot read ${file}: ${(e as Error).message}`, hint: 'a plugin folder must contain a package.json manifest' }] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { file, problems: [syntaxProblem(text, e as Error, plugin)] };
  }
  return { file, raw, ...validateManifest(raw, folder) };
}

function syntaxProblem(text: string, e: Error, plugin: string): ManifestProblem {
  // V8 reports "... at position N" (Node 20) or "(line L column C)" (Node 22).
  const pos = /position (\d+)/.exec(e.message);
  const lc = /line (\d+) column (\d+)/.exec(e.message);
  let line: number | undefined;
  let column: number | undefined;
  if (lc) [line, column] = [Number(lc[1]), Number(lc[2])];
  else if (pos) {
    const before = text.slice(0, Number(pos[1]));
    line = before.split('\n').length;
    column = Number(pos[1]) - before.lastIndexOf('\n');
  }
  return {
    severity: 'error', plugin, pointer: '', line, column,
    message: `package.json is not valid JSON: ${e.message}`,
    hint: 'fix the syntax (trailing commas and comments are not allowed in package.json)',
  };
}
