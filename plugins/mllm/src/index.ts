/** The description level: endpoint (cached) when configured, else the built-in action-unit describer. */
import path from 'node:path';
import type { LevelOutput, PluginContext } from '@visage/core';
import type { LandmarksData } from '@visage/landmarks';
import { rasteriseAuPlot } from './au-plot.ts';
import { DescriptionCache } from './description-cache.ts';
import { describeClip, descriptionToJSON } from './describe-clip.ts';
import { EndpointClient } from './endpoint-client.ts';
import type { EndpointConfig } from './endpoint-config.ts';
import type { ActionUnitsOptions, DescriptionOptions } from './options.generated.ts';
import { computeActionUnits } from './action-units.ts';
import { prototypeScores } from './emotion-prototypes.ts';

// The manifest leaves the endpoint's fields to resolveEndpointConfig, which checks each one (url included).
type EndpointOptions = Partial<EndpointConfig> & { url: string };

export function activate(ctx: PluginContext): void {
  // The AUs are measured again here rather than read from the description level, so that either
  // level can be disabled in an A/B run; the geometry on 16 meshes takes a few milliseconds.
  ctx.stages.levels.provide<ActionUnitsOptions>('action-units', async ({ deps, classes }, call): Promise<LevelOutput> => {
    const o = call.options;
    const lm = deps.landmarks.data as LandmarksData;
    const series = computeActionUnits(lm.frames.map((f) => f.face), { neutral: o.neutral });
    const r = prototypeScores(series, classes, { prototypes: o.prototypes, temperature: o.temperature });
    const round = (x: number) => Math.round(x * 1e4) / 1e4;
    return {
      scores: r.scores,
      summary: {
        evidence: Object.fromEntries(Object.entries(r.evidence).map(([c, v]) => [c, round(v)])),
        apexFrame: r.apexFrame,
        neutralFrame: series.neutralFrame,
      },
    };
  });

  ctx.stages.levels.provide<DescriptionOptions>('description', async ({ clip, deps }, call): Promise<LevelOutput> => {
    const o = call.options;
    const lm = deps.landmarks.data as LandmarksData;
    // One client per endpoint config for the whole process, so its concurrency limit holds across clips.
    const endpoint = o.endpoint ? await ctx.shared(`endpoint:${JSON.stringify(o.endpoint)}`, async () => new EndpointClient(o.endpoint as EndpointOptions)) : undefined;
    const cacheFile = o.cache ?? path.join(ctx.settings.cacheDir, 'descriptions.jsonl');
    const cache = endpoint || o.cache ? await ctx.shared(`cache:${cacheFile}`, () => DescriptionCache.open(cacheFile, { warn: (m) => ctx.logger.warn(m) })) : undefined;
    const out = await describeClip(
      { clipId: clip.id, frames: clip.frames, faces: lm.frames.map((f) => f.face) },
      { endpoint, cache, actionUnits: { neutral: o.neutral }, signal: call.signal },
    );
    const json = descriptionToJSON(out);
    return {
      text: out.sentences,
      data: out,
      summary: { source: out.source, ...(out.model && { model: out.model }), actionUnits: json.actionUnits },
      ...(call.wantRenders && out.actionUnits && {
        renders: [(() => {
          const plot = rasteriseAuPlot(out.actionUnits!);
          return { name: 'action-units', width: plot.width, height: plot.height, rgb: plot.rgb };
        })()],
      }),
    };
  });
}
