/**
 * Thumbnails and AU timelines of the clips a report lists (those whose label changed), taken while
 * the clip's frames are still in memory, so a long comparison never holds every clip's frames.
 */
import sharp from 'sharp';
import type { ClipResult } from '../pipeline/pipeline.ts';
import type { OutputRow } from '../output/row.ts';
import type { AuTimeline } from './report-model.ts';

export interface ClipVisual {
  /** PNG data URI: the level's aligned face crop when one was rendered, else the clip's middle frame. */
  thumbnail?: string;
  au?: AuTimeline;
}

export class ClipVisuals {
  readonly byId = new Map<string, ClipVisual>();

  constructor(private readonly limit = 200, private readonly size = 96) {}

  /** Keeps the visuals of a clip whose variants disagree. */
  async keepIfChanged(results: (ClipResult | undefined)[], rows: OutputRow[]): Promise<void> {
    if (!ClipVisuals.changed(rows) || this.byId.size >= this.limit) return;
    await this.keep(results, rows);
  }

  /** Whether the variants that scored the clip gave it different labels. */
  static changed(rows: OutputRow[]): boolean {
    return new Set(rows.filter((r) => !r.error).map((r) => r.label)).size > 1;
  }

  async keep(results: (ClipResult | undefined)[], rows: OutputRow[]): Promise<void> {
    const result = results.find((r) => r);
    if (!result) return;
    this.byId.set(result.clip.id, { thumbnail: await thumbnail(result, this.size), au: auTimeline(rows) });
  }
}

async function thumbnail(result: ClipResult, size: number): Promise<string | undefined> {
  const crops = Object.values(result.levels).flatMap((l) => l.renders ?? []).filter((r) => r.name.startsWith('crop-'));
  const mid = result.clip.frames[Math.floor(result.clip.frames.length / 2)];
  const img = crops[Math.floor(crops.length / 2)] ?? mid;
  if (!img) return undefined;
  const png = await sharp(Buffer.from(img.rgb), { raw: { width: img.width, height: img.height, channels: 3 } }).resize(size, size, { fit: 'inside' }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The AU series of the first row whose description level measured action units. */
export function auTimeline(rows: OutputRow[]): AuTimeline | undefined {
  for (const row of rows) {
    for (const level of Object.values(row.levels)) {
      const au = level.summary?.actionUnits as AuTimeline | null | undefined;
      if (au && Array.isArray(au.aus) && au.intensity) return { aus: au.aus, intensity: au.intensity };
    }
  }
  return undefined;
}
