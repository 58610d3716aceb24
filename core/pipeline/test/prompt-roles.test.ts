/**
 * Reading a PromptSet by role (prompt-roles.ts), as the fineclipper and hesp fusions do: which
 * embedding each class gets, which classes are missing, and the roles a plugin may read by.
 * (The resolve-time PROMPT_ROLES_MISSING check is core/config/prompt-roles.ts, tested in core/config/test/.)
 */
import { describe, expect, it } from 'vitest';
import { contributionPoint } from '../../manifest/contribution-points.ts';
import type { JSONSchema } from '../../manifest/json-schema.ts';
import { PROMPT_ROLES, promptsByClass } from '../prompt-roles.ts';
import type { PromptRole, PromptSet, RolePrompt } from '../stage-types.ts';

const prompt = (role: PromptRole, cls: string | undefined, value: number): RolePrompt => ({ role, ...(cls !== undefined && { class: cls }), embedding: Float32Array.of(value) });
const setOf = (...prompts: RolePrompt[]): PromptSet => ({ classes: ['happy', 'sad', 'angry'], prompts });
/** The embeddings as their one value each, to compare them legibly. */
const values = (r: { embeddings: Float32Array[] }) => r.embeddings.map((e) => e[0]);

describe('promptsByClass', () => {
  // HESP-style: a positive and an unknown prompt per class; FineCLIPER-style: a positive and a negative.
  const set = setOf(
    prompt('unknown', 'happy', 10), prompt('positive', 'sad', 2), prompt('negative', 'happy', -1),
    prompt('positive', 'happy', 1), prompt('negative', 'sad', -2), prompt('unknown', 'sad', 20),
  );

  it('gives the embedding of the role for each class, in the order the classes are asked in', () => {
    expect(values(promptsByClass(set, 'positive', ['happy', 'sad']))).toEqual([1, 2]);
    expect(values(promptsByClass(set, 'positive', ['sad', 'happy']))).toEqual([2, 1]);
    expect(values(promptsByClass(set, 'negative', ['happy', 'sad']))).toEqual([-1, -2]);
    expect(values(promptsByClass(set, 'unknown', ['sad', 'happy']))).toEqual([20, 10]);
    expect(promptsByClass(set, 'positive', ['happy', 'sad']).missing).toEqual([]);
    // The very arrays the builder gave, not copies.
    expect(promptsByClass(set, 'positive', ['happy']).embeddings[0]).toBe(set.prompts![3].embedding);
  });

  it('lists the classes without a prompt of the role as missing, and gives embeddings only for the others', () => {
    const partial = setOf(prompt('positive', 'happy', 1), prompt('negative', 'angry', -3), prompt('positive', 'sad', 2));
    expect(promptsByClass(partial, 'positive', ['happy', 'angry', 'sad'])).toEqual({ embeddings: [Float32Array.of(1), Float32Array.of(2)], missing: ['angry'] });
    expect(promptsByClass(partial, 'negative', ['happy', 'angry', 'sad'])).toEqual({ embeddings: [Float32Array.of(-3)], missing: ['happy', 'sad'] });
    expect(promptsByClass(partial, 'unknown', ['happy', 'sad'])).toEqual({ embeddings: [], missing: ['happy', 'sad'] });
  });

  it('keeps the first prompt a builder gives for a class and role', () => {
    const twice = setOf(prompt('positive', 'happy', 1), prompt('positive', 'happy', 7), prompt('positive', 'sad', 2));
    expect(values(promptsByClass(twice, 'positive', ['happy', 'sad']))).toEqual([1, 2]);
  });

  it('gives no class a prompt of no one class', () => {
    const shared = setOf(prompt('unknown', undefined, 9), prompt('unknown', 'sad', 20));
    expect(promptsByClass(shared, 'unknown', ['happy', 'sad'])).toEqual({ embeddings: [Float32Array.of(20)], missing: ['happy'] });
  });

  it('misses every class of a set without role prompts (a builder that gives only texts)', () => {
    const texts: PromptSet = { classes: ['happy', 'sad'], texts: { happy: ['a happy face'], sad: ['a sad face'] } };
    expect(promptsByClass(texts, 'positive', ['happy', 'sad'])).toEqual({ embeddings: [], missing: ['happy', 'sad'] });
  });
});

describe('PROMPT_ROLES', () => {
  /** The roles a manifest may list in a contribution's `field` (manifest.schema.json). */
  const manifestRoles = (point: string, field: string) => {
    const items = contributionPoint(point)!.schema.items as JSONSchema;
    return ((items.properties as Record<string, JSONSchema>)[field].items as JSONSchema).enum;
  };

  it('are the roles a prompt builder may declare it gives and a fusion that it reads', () => {
    expect(PROMPT_ROLES).toEqual(manifestRoles('promptBuilders', 'roles'));
    expect(PROMPT_ROLES).toEqual(manifestRoles('fusions', 'needsRoles'));
  });
});
