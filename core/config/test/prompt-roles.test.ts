/**
 * Prompt roles at resolve time (issue 17): a fusion's `needsRoles` must be among the selected prompt
 * builder's `roles`, else the preset is refused before any plugin code runs, naming the builders that
 * would do; `pipeline explain` prints the roles given and read.
 */
import { describe, expect, it } from 'vitest';
import { explainPreset } from '../explain.ts';
import { resolvePreset } from '../resolve-preset.ts';
import { standardPlugins, writePlugins } from './plugin-fixture.ts';
import { thrown } from '../../testing.ts';

const { registry } = writePlugins(standardPlugins([{
  name: 'roles',
  contributes: {
    promptBuilders: [{ id: 'pos-neg', roles: ['positive', 'negative'] }, { id: 'all', roles: ['positive', 'negative', 'unknown'] }],
    fusions: [{ id: 'contrast', needsRoles: ['positive', 'negative'] }, { id: 'open', needsRoles: ['positive', 'unknown'] }],
  },
}]));
const resolve = (...set: string[]) => resolvePreset(registry, { preset: 'plain', set });

describe('prompt roles at resolve time', () => {
  it('accepts a fusion whose roles the builder gives, and explain prints both', () => {
    const p = resolve('stages.prompts.use=test.roles/pos-neg', 'stages.fusion.use=test.roles/contrast');
    expect(explainPreset(p, registry)).toContain('prompt roles  given: positive, negative; read by the fusion: positive, negative');
    expect(() => resolve('stages.prompts.use=test.roles/all', 'stages.fusion.use=test.roles/open')).not.toThrow();
  });

  it('refuses a fusion reading a role the builder lacks, naming the missing role and the builders that give it', () => {
    const e = thrown(() => resolve('stages.prompts.use=test.roles/pos-neg', 'stages.fusion.use=test.roles/open'));
    expect(e).toMatchObject({ code: 'PROMPT_ROLES_MISSING', exitCode: 2, pointer: '/stages/prompts/use' });
    expect(e.message).toBe('fusion test.roles/open reads unknown prompts, which the prompt builder test.roles/pos-neg does not give (it gives positive, negative)');
    expect(e.hint).toBe('select a prompt builder that gives them, e.g. --set stages.prompts.use=test.roles/all (builders that do: test.roles/all)');
  });

  it('a builder that declares no roles gives none, and a preset without a prompt builder gives none either', () => {
    expect(thrown(() => resolve('stages.fusion.use=test.roles/contrast')).message).toMatch(/reads positive and negative prompts, which the prompt builder test.base\/names does not give \(it gives no roles\)/);
    // Fusions that read no roles (test.base/mean) need none.
    expect(() => resolve()).not.toThrow();
    expect(explainPreset(resolve(), registry)).not.toContain('prompt roles');
  });
});
