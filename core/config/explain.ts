/**
 * `visage pipeline explain`: the resolved layers, which plugin serves each stage and level, and
 * where every value came from. Deterministic text, no model loaded.
 */
import { isSecretKey, redactSecrets } from '../errors/redact-secrets.ts';
import type { PluginRegistry } from '../plugins/plugin-registry.ts';
import type { ResolvedPreset } from './resolve-preset.ts';
import { selectedProviders, usedPlugins } from './resolve-preset.ts';
import { promptRolesOf } from './prompt-roles.ts';
import { STAGES } from '../pipeline/stages.ts';

export function explainPreset(p: ResolvedPreset, registry: PluginRegistry): string {
  const from = (key: string) => p.origins.get(key) ?? '(default)';
  const lines: string[] = [];
  lines.push(`preset   ${p.name}`);
  lines.push(`layers   ${p.layers.join(' > ')}`);
  lines.push(`frames   ${p.frames}  [${from('frames')}]`);
  lines.push(`classes  ${p.classes?.join(', ') ?? '(from the levels)'}${p.classes ? `  [${from('classes')}]` : ''}`);
  lines.push('');
  const rows: string[][] = [['stage', 'slot', 'provider', 'plugin', 'weight', 'scores', 'from']];
  const prov = (stage: string, slot: string, use: string, plugin: string, version: string, weight: string, key: string, scores = '') =>
    rows.push([stage, slot, use, `${plugin}@${version}`, weight, scores, from(key)]);
  for (const { name: stage } of STAGES) {
    if (stage !== 'levels') {
      const one = p[stage];
      if (one) prov(stage, '', one.use, one.plugin, one.pluginVersion, '', `stages.${stage}.use`);
      continue;
    }
    for (const l of p.levels) {
      const needs = l.needs.length ? ` (needs ${l.needs.join(', ')})` : '';
      prov('levels', l.slot + needs, l.use, l.plugin, l.pluginVersion, String(l.weight), `stages.levels.${l.slot}.use`, { scores: 'yes', embeddings: 'embeddings', none: 'no scores' }[l.feeds]);
      const w = rows[rows.length - 1];
      const [useFrom, weightFrom] = [from(`stages.levels.${l.slot}.use`), from(`stages.levels.${l.slot}.weight`)];
      w[6] = useFrom === weightFrom ? useFrom : `${useFrom}; weight ${weightFrom}`;
    }
    for (const slot of p.disabledLevels) rows.push(['levels', slot, '(disabled)', '', '', '', from(`stages.levels.${slot}.enabled`)]);
  }
  lines.push(...table(rows));
  const roles = promptRolesOf(registry, p.prompts, p.fusion);
  if (roles.gives.length || roles.needs.length) lines.push('', `prompt roles  given: ${roles.gives.join(', ') || 'none'}; read by the fusion: ${roles.needs.join(', ') || 'none'}`);

  const options: string[] = [];
  const dump = (prefix: string, obj: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = `${prefix}.${k}`;
      if (v && typeof v === 'object' && !Array.isArray(v)) dump(key, v as Record<string, unknown>);
      else options.push(`  ${key} = ${isSecretKey(k) ? '"***"' : JSON.stringify(v)}  [${from(key)}]`);
    }
  };
  for (const { provider, path } of selectedProviders(p)) dump(`${path}.options`, provider.options);
  for (const [id, cfg] of Object.entries(p.pluginConfig)) dump(`plugins.${id}`, cfg);
  lines.push('', 'options', ...(options.length ? options : ['  (none)']));

  const plugins = usedPlugins(registry, p).map((id) => {
    const r = registry.plugin(id)!;
    return `  ${id}@${r.manifest!.version}  ${r.source}  ${r.folder}`;
  });
  lines.push('', 'plugins activated by this preset (others stay unloaded)', ...plugins);
  // Options may carry URLs with user:password@ or keys (an endpoint's url, headers): never print them.
  return redactSecrets(lines.join('\n') + '\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}
