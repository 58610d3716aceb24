/** README's "Embedding Visage in an application" example, run as printed through tsx from the repo root. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared-data.ts';

describe("README's embedding example", () => {
  it('classifies clip.mp4 from an application file beside core/', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Embedding Visage in an application'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
    // The example imports './core/index.ts', so the file sits in the repo root (`/_*.ts` is git-ignored).
    const app = path.join(REPO_ROOT, `_readme-embedding-${process.pid}.ts`);
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'visage-embed-'));
    mkdirSync(path.join(cwd, 'my-plugins'));
    copyFileSync(path.join(REPO_ROOT, 'samples/astronaut.mp4'), path.join(cwd, 'clip.mp4'));
    writeFileSync(app, code);
    try {
      // `npx tsx app.ts` from the application's folder: tsx is the checkout's.
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
      const r = spawnSync(process.execPath, ['--import', tsx, app], { cwd, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/label: 'happy'/);
      expect(r.stdout).toMatch(/unknown: false/);
    } finally {
      rmSync(app, { force: true });
    }
  }, 180_000);
});
