/**
 * `--save-renders DIR` writes DIR/index.html: a contact sheet a person can read. One row per clip
 * (id, label, the most probable classes, source), then each level's renders as thumbnails captioned
 * with their frame number and time. Links are relative and nothing is fetched, so the folder can be
 * copied or zipped and opened anywhere.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClipResult } from '../pipeline/pipeline.ts';

interface SheetImage { href: string; caption: string }
interface SheetClip { id: string; source: string; label: string | null; unknown: boolean; top: [string, number][]; levels: [string, SheetImage[]][] }

export class ContactSheet {
  private readonly clips: SheetClip[] = [];

  constructor(private readonly dir: string) {}

  /** Adds a clip with the files `saveRenders` wrote for it. */
  add(result: ClipResult, files: readonly string[]): void {
    const { clip, decision } = result;
    // Longest slot first, so "parsing-map" files are not taken for "parsing".
    const slots = Object.keys(result.levels).sort((a, b) => b.length - a.length);
    const bySlot = new Map<string, SheetImage[]>();
    for (const file of files) {
      const base = path.basename(file, '.png');
      const slot = slots.find((s) => base.startsWith(`${s.replace(/[^A-Za-z0-9._-]/g, '_')}-`)) ?? '';
      // One strip per level and kind of render ("landmarks: crop"), frames in order along it.
      const [, kind, frame] = /^(.*?)-?(\d*)$/.exec(base.slice(slot ? slot.length + 1 : 0))!;
      const strip = [slot || 'other', kind].filter(Boolean).join(': ');
      const images = bySlot.get(strip) ?? [];
      images.push({ href: path.relative(this.dir, file).split(path.sep).map(encodeURIComponent).join('/'), caption: captionOf(kind, frame, clip.indices, clip.fps) });
      bySlot.set(strip, images);
    }
    const top = Object.entries(decision.probabilities ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 5);
    this.clips.push({ id: clip.id, source: clip.source, label: decision.label ?? null, unknown: !!decision.unknown, top, levels: [...bySlot] });
  }

  /** Writes DIR/index.html (clips in id order, so a rerun gives the same page). */
  async write(): Promise<string> {
    const file = path.join(this.dir, 'index.html');
    const rows = [...this.clips].sort((a, b) => a.id.localeCompare(b.id)).map(clipHtml).join('\n');
    await writeFile(file, `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Visage renders</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
section { border-top: 1px solid #ccc; padding: .8em 0; }
h2 { font-size: 1.1em; margin: 0 0 .2em; }
.label { font-weight: bold; } .probs { color: #555; } .source { color: #888; font-size: .9em; }
h3 { font-size: .95em; margin: .6em 0 .2em; color: #444; }
.strip { display: flex; flex-wrap: wrap; gap: 6px; }
figure { margin: 0; text-align: center; } figure img { height: 96px; image-rendering: pixelated; border: 1px solid #ddd; }
figcaption { font-size: .8em; color: #555; }
</style></head><body>
<h1>Visage renders: ${this.clips.length} clip${this.clips.length === 1 ? '' : 's'}</h1>
${rows}
</body></html>
`);
    return file;
  }
}

/** Sample 3 of a clip -> "frame 57 · 2.28 s" (its source frame, and the time when the fps is known). */
function captionOf(kind: string, frame: string, indices: readonly number[], fps: number): string {
  const at = frame === '' ? undefined : indices[Number(frame)];
  if (at === undefined) return [kind, frame].filter(Boolean).join(' ');
  return `frame ${at}${fps > 0 ? ` · ${(at / fps).toFixed(2)} s` : ''}`;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function clipHtml(c: SheetClip): string {
  const probs = c.top.map(([k, v]) => `${esc(k)} ${v.toFixed(2)}`).join(', ');
  const levels = c.levels.map(([slot, images]) => `<h3>${esc(slot)}</h3>
<div class="strip">${images.map((i) => `<figure><a href="${esc(i.href)}"><img src="${esc(i.href)}" alt="${esc(i.caption)}" loading="lazy"></a><figcaption>${esc(i.caption)}</figcaption></figure>`).join('')}</div>`).join('\n');
  return `<section id="${esc(c.id)}">
<h2>${esc(c.id)}: <span class="label">${esc(c.label ?? '(no label)')}${c.unknown ? ' (unknown)' : ''}</span></h2>
<div class="probs">${probs}</div>
<div class="source">${esc(c.source)}</div>
${levels || '<p>no renders</p>'}
</section>`;
}
