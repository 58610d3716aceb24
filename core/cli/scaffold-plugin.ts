/**
 * `visage plugins new NAME`: a plugin folder that passes `visage plugins validate`, runs in a
 * pipeline (`--plugin-dir`), and has a passing test (`node --test`, no dependencies).
 * Plain JavaScript, so an author needs no build step.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HOST_VERSION } from '../version.ts';
import * as errors from '../errors/messages.ts';

export function scaffoldPlugin(parent: string, name: string, publisher: string): string {
  if (!/^[a-z0-9][a-z0-9-._]*$/.test(name)) throw errors.badInput('SCAFFOLD_BAD_NAME', `"${name}" is not a valid package name`, 'use lowercase letters, digits and dashes, e.g. visage-plugin-brightness');
  const folder = path.join(parent, name);
  if (existsSync(folder)) throw errors.badInput('SCAFFOLD_EXISTS', `${folder} already exists`, 'pick another name or --dir');
  const level = name.replace(/^visage-plugin-/, '').replace(/[^a-z0-9-]/g, '-').replace(/^[^a-z]+/, '') || 'level';
  const [major, minor] = HOST_VERSION.split('.');
  const manifest = {
    name,
    publisher,
    version: '0.1.0',
    description: `A Visage plugin contributing the "${level}" level.`,
    type: 'module',
    main: './src/index.js',
    engines: { visage: `^${major}.${minor}.0` },
    contributes: {
      levels: [{
        id: level,
        title: `${level}: a template level (it measures mean brightness; replace that with your feature)`,
        scores: true,
        options: { type: 'object', additionalProperties: false, properties: { gamma: { type: 'number', exclusiveMinimum: 0, default: 1 } } },
      }],
    },
    scripts: { test: 'node --test' },
  };
  mkdirSync(path.join(folder, 'src'), { recursive: true });
  mkdirSync(path.join(folder, 'test'), { recursive: true });
  writeFileSync(path.join(folder, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(path.join(folder, 'src', 'index.js'), `// Entry point: Visage imports this module only when a preset uses the "${level}" level.
import { meanBrightness } from './level.js';

/** @param {import('visage').PluginContext} ctx */
export function activate(ctx) {
  ctx.stages.levels.provide('${level}', async ({ clip, classes }, call) => {
    const brightness = meanBrightness(clip.frames, call.options.gamma);
    // A level may return per-class scores (fused by the preset's fusion rule), a summary for the output row,
    // embeddings, text, renders and data for dependent levels. This one only reports what it measured.
    return { summary: { brightness }, scores: Object.fromEntries(classes.map((c) => [c, 1 / classes.length])) };
  });
}
`);
  writeFileSync(path.join(folder, 'src', 'level.js'), `/**
 * Mean brightness (0..1) over all pixels of all frames, after a gamma curve.
 * @param {{ rgb: Uint8Array }[]} frames
 * @param {number} gamma
 */
export function meanBrightness(frames, gamma = 1) {
  let sum = 0;
  let n = 0;
  for (const f of frames) {
    for (let i = 0; i < f.rgb.length; i++) sum += (f.rgb[i] / 255) ** gamma;
    n += f.rgb.length;
  }
  return n ? sum / n : 0;
}
`);
  writeFileSync(path.join(folder, 'test', 'level.test.js'), `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanBrightness } from '../src/level.js';

const frame = (value) => ({ width: 2, height: 2, rgb: new Uint8Array(12).fill(value) });

test('white frames are bright, black frames are dark', () => {
  assert.equal(meanBrightness([frame(255)]), 1);
  assert.equal(meanBrightness([frame(0)]), 0);
  assert.ok(Math.abs(meanBrightness([frame(255), frame(0)]) - 0.5) < 1e-9);
});
`);
  writeFileSync(path.join(folder, 'README.md'), `# ${name}\n\nA Visage plugin. Try it:\n\n    visage plugins validate .\n    node --test\n    visage pipeline run clip.mp4 --plugin-dir . --set stages.levels.${level}.weight=1\n`);
  return folder;
}
