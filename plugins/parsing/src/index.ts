/** The parsing level: one label map per frame, in the same aligned crop as the landmarks level. */
import path from 'node:path';
import type { LevelOutput, PluginContext, Render } from '@visage/core';
import { errors } from '@visage/core';
import type { LandmarksData } from '@visage/landmarks';
import type { ParsingMap } from './classes.ts';
import { OnnxFaceParser } from './onnx-face-parser.ts';
import type { ParsingOptions } from './options.generated.ts';
import { parseFromMesh } from './parse-from-mesh.ts';
import { classArea } from './parsing-stats.ts';
import { renderParsing, withParsingLegend } from './render-parsing.ts';

export function activate(ctx: PluginContext): void {
  ctx.stages.levels.provide<ParsingOptions>('parsing', async ({ clip, deps }, call): Promise<LevelOutput> => {
    const o = call.options;
    const lm = deps.landmarks.data as LandmarksData;
    let maps: ParsingMap[];
    if (o.source === 'onnx') {
      if (!o.model) throw errors.presetInvalid('/stages/levels/parsing/options/model', 'source "onnx" needs a model path', 'set stages.levels.parsing.options.model to your face parser .onnx');
      const file = path.resolve(ctx.settings.modelsDir ?? process.cwd(), o.model);
      const parser = await ctx.shared(`onnx:${file}:${o.labels}:${o.inputSize}`, async () =>
        OnnxFaceParser.load(file, { labels: o.labels, inputSize: o.inputSize, size: lm.size, sessionOptions: await ctx.models.sessionOptions() }));
      maps = await Promise.all(lm.frames.map((f, t) => parser.parse(clip.frames[t], f.face.box ? f.face : null, f.cropMap ?? undefined)));
    } else {
      // Loops, not closures made per call: V8 drops a dead closure's optimized code at a full GC,
      // so in a batch these were compiled again every few clips.
      maps = [];
      for (const f of lm.frames) maps.push(parseFromMesh(f.face, lm.size, f.cropMap ?? undefined));
    }
    const faceFrames: number[] = [];
    const skin: number[] = [];
    for (let t = 0; t < lm.frames.length; t++) {
      if (!lm.frames[t].face.box) continue;
      faceFrames.push(t);
      skin.push(classArea(maps[t], 'skin'));
    }
    return {
      data: maps,
      summary: { source: o.source, framesParsed: faceFrames.length, meanSkinFraction: skin.length ? +(skin.reduce((a, b) => a + b, 0) / skin.length).toFixed(4) : 0 },
      ...(call.wantRenders && {
        renders: maps.map((m, t): Render => {
          const img = withParsingLegend(renderParsing(m));
          return { name: `map-${String(t).padStart(2, '0')}`, width: img.width, height: img.height, rgb: img.rgb };
        }),
      }),
    };
  });
}
