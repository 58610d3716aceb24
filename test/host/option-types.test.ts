/** Provider option types are generated from the manifests' schemas (scripts/option-types.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTION_PLUGINS, optionTypeName, optionTypesFile, optionTypesSource } from '../../scripts/option-types.ts';

describe('options.generated.ts', () => {
  it.each(OPTION_PLUGINS)('%s is what `npm run schema` writes from its manifest (rerun it after editing an option schema)', async (plugin) => {
    expect(readFileSync(optionTypesFile(plugin), 'utf8')).toBe(await optionTypesSource(plugin));
  });

  it('a property with a default is required (it always arrives filled); one without stays optional', async () => {
    const media = await optionTypesSource('core/builtin');
    expect(media).toMatch(/export interface MediaOptions \{[^}]*\n  pad: 'last' \| 'zero';/);
    expect(media).toMatch(/export interface MediaOptions \{[^}]*\n  maxSide\?: number;/);
    expect(await optionTypesSource('plugins/open-set')).toMatch(/export interface HespOptions \{[^}]*\n  frames: string;/);
    expect(await optionTypesSource('plugins/open-set')).toMatch(/export interface HespOptions \{[^}]*\n  checkpoint\?: string;/);
  });

  it('names a type after its provider id', () => {
    expect(optionTypeName('faceapi-expression')).toBe('FaceapiExpressionOptions');
    expect(optionTypeName('open-set')).toBe('OpenSetOptions');
  });
});
