/**
 * Every JSON file Visage reads (presets, pipeline.json, manifests) goes through here, so a mistake
 * is always reported as file:line:column. Presets may be JSONC (comments, trailing commas), parsed by
 * jsonc-parser, VS Code's own. Keys that would reach an object's prototype (`__proto__`,
 * `constructor`, `prototype`) are refused where they are written, before any merge could use them.
 */
import { readFileSync } from 'node:fs';
import { parse, printParseErrorCode, visit, type ParseError } from 'jsonc-parser';
import * as errors from '../errors/messages.ts';

export interface JsonFileOptions {
  /** Accept comments and trailing commas (presets: yes; package.json manifests: no). */
  jsonc: boolean;
  /** What the file is, for messages: "preset", "manifest". */
  what: string;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function readJsonFile(file: string, opts: JsonFileOptions): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw errors.jsonFileUnreadable(opts.what, file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (e as Error).message);
  }
  return parseJsonText(text, file, opts);
}

export function parseJsonText(text: string, file: string, opts: JsonFileOptions): unknown {
  const problems: ParseError[] = [];
  const value = parse(text, problems, { allowTrailingComma: opts.jsonc, disallowComments: !opts.jsonc, allowEmptyContent: false });
  if (problems.length) {
    const p = problems[0];
    const { line, column } = lineColumn(text, p.offset);
    const near = JSON.stringify(text.slice(p.offset, p.offset + Math.max(1, Math.min(p.length, 20))));
    throw errors.jsonInvalid(opts.what, file, line, column, `${describe(printParseErrorCode(p.error))} near ${near}`, opts.jsonc ? 'presets are JSON with optional // comments and trailing commas' : 'this file must be strict JSON (no comments or trailing commas)');
  }
  visit(text, {
    onObjectProperty: (key, offset, _length, _line, _char, pathSupplier) => {
      if (FORBIDDEN_KEYS.has(key)) {
        const { line, column } = lineColumn(text, offset);
        throw errors.configKeyForbidden(key, [...pathSupplier(), key].join('.'), `${opts.what} ${file}:${line}:${column}`);
      }
    },
  });
  return value;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** jsonc-parser's codes are CamelCase words ("CommaExpected"): say them as a sentence. */
function describe(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
