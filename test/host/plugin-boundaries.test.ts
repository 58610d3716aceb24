/**
 * The core/plugin wall (VS Code's no-deep-import rule): plugins reach the host only through the
 * `@visage/core` package exports and each other only through the package exports of the plugins
 * they declare in `pluginDependencies`. The rules are in test/helpers/plugin-imports.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_LIBRARIES, CORE_TEST_SUBPATHS, importSpecifiers, pluginImportViolations } from '../helpers/plugin-imports.ts';
import { REPO_ROOT } from '../helpers/shared-data.ts';

describe('plugin boundaries', () => {
  it('no plugin file imports past the wall', () => {
    expect(pluginImportViolations(REPO_ROOT)).toEqual([]);
  });

  it('core/package.json exports the API, the shared libraries and the test subpaths, nothing else', () => {
    const { exports } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'core/package.json'), 'utf8')) as { exports: Record<string, string> };
    expect(Object.keys(exports).sort()).toEqual(['.', ...[...CORE_LIBRARIES, ...CORE_TEST_SUBPATHS].map((s) => `./${s}`)].sort());
    expect(exports['.']).toBe('./api.ts');
  });

  it('every pluginDependency of a shipped plugin is a shipped plugin', () => {
    const pkgs = ['clip-adapter', 'expression', 'landmarks', 'mllm', 'open-set', 'parsing'].map((p) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'plugins', p, 'package.json'), 'utf8')) as { name: string; publisher: string; pluginDependencies?: string[] });
    const ids = new Set(pkgs.map((p) => `${p.publisher}.${p.name.replace(/^@[^/]+\//, '')}`));
    for (const p of pkgs) for (const dep of p.pluginDependencies ?? []) expect(ids.has(dep), `${p.name} depends on ${dep}`).toBe(true);
  });

  it('finds static, re-export, dynamic and type-position imports', () => {
    const src = "import a from 'x';\nexport { b } from './y.ts';\nconst c = await import('z');\nimport type { T } from '@visage/core';\ntype Q = import('q').R;\n";
    expect(importSpecifiers(src)).toEqual(['x', './y.ts', 'z', '@visage/core', 'q']);
  });

  it('reports each kind of import past the wall (a fixture repository)', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'visage-wall-'));
    const write = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
      writeFileSync(path.join(repo, rel), text);
    };
    const json = (v: object) => JSON.stringify(v);
    write('package.json', json({ name: 'r', dependencies: { sharp: '1' }, devDependencies: { vitest: '1' } }));
    write('plugins/a/package.json', json({ name: '@visage/a', publisher: 'test', exports: { '.': './src/api.ts' } }));
    write('plugins/c/package.json', json({ name: '@visage/c', publisher: 'test', exports: { '.': './src/api.ts' } }));
    write('plugins/b/package.json', json({ name: '@visage/b', publisher: 'test', pluginDependencies: ['test.a'] }));
    write('plugins/b/src/index.ts', [
      "import { readFileSync } from 'node:fs';",
      "import path from 'path';",
      "import sharp from 'sharp';",
      "import type { PluginContext } from '@visage/core';",
      "import { tensor } from '@visage/core/compute';",
      "import { api } from '@visage/a';",
      "import { own } from './own.ts';",
      "import { deep } from '@visage/a/src/internal.ts';",
      "import type { C } from '@visage/c';",
      "import { x } from '../../a/src/x.ts';",
      "import { Pipeline } from '../../../core/pipeline/pipeline.ts';",
      "import { createHost } from '@visage/core/internal';",
      "import { gradCheck } from '@visage/core/testing';",
      "import { STAGES } from '@visage/core/pipeline';",
      "import _ from 'lodash';",
      "import { it } from 'vitest';",
      "export { y } from '../test/helper.ts';",
      "const late = await import('../../c/src/y.ts');",
    ].join('\n'));
    write('plugins/b/test/b.test.ts', [
      "import { it } from 'vitest';",
      "import { gradCheck } from '@visage/core/testing';",
      "import { createHost } from '@visage/core/internal';",
      "import { own } from '../src/own.ts';",
      "import { helper } from './helper.ts';",
      "import { still } from '../../../test/helpers/still-clip.ts';",
      "import { UV } from '../../../node_modules/sharp/lib/x.js';",
      "import { t } from '../../a/test/t.ts';",
      "import { deep } from '@visage/a/src/internal.ts';",
    ].join('\n'));

    const found = pluginImportViolations(repo).map((v) => `${v.file} ${v.specifier}`);
    expect(found).toEqual([
      'plugins/b/src/index.ts @visage/a/src/internal.ts',
      'plugins/b/src/index.ts @visage/c',
      'plugins/b/src/index.ts ../../a/src/x.ts',
      'plugins/b/src/index.ts ../../../core/pipeline/pipeline.ts',
      'plugins/b/src/index.ts @visage/core/internal',
      'plugins/b/src/index.ts @visage/core/testing',
      'plugins/b/src/index.ts @visage/core/pipeline',
      'plugins/b/src/index.ts lodash',
      'plugins/b/src/index.ts vitest',
      'plugins/b/src/index.ts ../test/helper.ts',
      'plugins/b/src/index.ts ../../c/src/y.ts',
      'plugins/b/test/b.test.ts ../../a/test/t.ts',
      'plugins/b/test/b.test.ts @visage/a/src/internal.ts',
    ]);
    const reasons = Object.fromEntries(pluginImportViolations(repo).map((v) => [v.specifier, v.reason]));
    expect(reasons['@visage/c']).toBe("test.c is not in this plugin's pluginDependencies");
    expect(reasons['@visage/a/src/internal.ts']).toBe('test.a does not export "./src/internal.ts" (its package.json exports: .)');
  });
});
