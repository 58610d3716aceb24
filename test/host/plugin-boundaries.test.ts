/**
 * Plugins reach the host only through core/api.ts (VS Code's no-deep-import rule): the host's
 * internals (host, CLI, config, pipeline engine, plugin loader, manifests, output) may change
 * without breaking a plugin. Shared services (compute, metrics, data, media, models, features,
 * errors, types) are libraries plugins may import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared-data.ts';

const INTERNAL = /from '(?:\.\.\/)+core\/(host|cli|config|pipeline|plugins|manifest|output|builtin)\//;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('plugin boundaries', () => {
  it('no plugin source imports a host internal', () => {
    const offenders = readdirSync(path.join(REPO_ROOT, 'plugins'))
      .flatMap((p) => sources(path.join(REPO_ROOT, 'plugins', p, 'src')))
      .flatMap((file) => readFileSync(file, 'utf8').split('\n').filter((l) => INTERNAL.test(l)).map((l) => `${path.relative(REPO_ROOT, file)}: ${l.trim()}`));
    expect(offenders).toEqual([]);
  });
});
