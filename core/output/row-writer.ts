/**
 * Writes rows as JSON Lines, CSV or wide CSV, one complete line per row.
 * - A file gets one writeSync per line (looping over partial writes), so a run killed at any point
 *   leaves only whole lines behind.
 * - stdout goes through Node's stream with backpressure: a slow reader (`| less`) slows the batch
 *   instead of failing it with EAGAIN, and a reader that goes away (`| head`) ends the batch with
 *   OUTPUT_CLOSED instead of an EPIPE stack trace.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import * as errors from '../errors/messages.ts';
import type { VisageError } from '../errors/visage-error.ts';
import type { RowSink } from '../batch/run-batch.ts';
import type { OutputRow } from './row.ts';
import { wideCells, wideHeader } from './wide-columns.ts';

export type OutputFormat = 'jsonl' | 'csv' | 'csv-wide';

export interface RowWriterOptions {
  /** Where rows go without a file (default stdout). */
  stream?: NodeJS.WritableStream;
  /** Add to an existing file (--resume) instead of replacing it. */
  append?: boolean;
  /** Level slots whose scores get columns in the wide CSV layout. */
  levelSlots?: string[];
  /** Rows of `--window` runs: CSV layouts get window, shot, face, start and end columns after source. */
  windows?: boolean;
}

const WINDOW_COLUMNS = ['window', 'shot', 'face', 'start', 'end'] as const;

export class RowWriter implements RowSink {
  private readonly fd?: number;
  private readonly stream?: NodeJS.WritableStream;
  private headerWritten = false;
  private closedBy?: VisageError;
  private readonly levelSlots: string[];
  private readonly windows: boolean;

  /** `file` undefined writes to the stream (stdout). */
  constructor(private readonly format_: OutputFormat, file: string | undefined, private readonly classes: string[] = [], opts: RowWriterOptions = {}) {
    this.levelSlots = opts.levelSlots ?? [];
    this.windows = !!opts.windows;
    if (file) this.fd = openSync(file, opts.append ? 'a' : 'w');
    else {
      const stream = opts.stream ?? process.stdout;
      this.stream = stream;
      stream.on('error', (e: NodeJS.ErrnoException) => {
        this.closedBy ??= errors.outputClosed(e.code ?? e.message);
      });
    }
  }

  format(row: OutputRow): string {
    if (this.format_ === 'jsonl') return jsonLine(row);
    const cells = this.format_ === 'csv-wide'
      ? wideCells(row, this.classes, this.levelSlots)
      : [row.id, row.source, row.groundTruth ?? '', row.label ?? '', row.knownness, row.unknown, ...this.classes.map((c) => (Object.hasOwn(row.probabilities, c) ? row.probabilities[c] : '')), row.error?.code ?? '', row.error?.message ?? ''];
    if (this.windows) cells.splice(2, 0, ...WINDOW_COLUMNS.map((k) => row[k] ?? ''));
    return cells.map(csvCell).join(',');
  }

  async write(line: string): Promise<void> {
    if (this.format_ !== 'jsonl' && !this.headerWritten) {
      this.headerWritten = true;
      line = this.header().map(csvCell).join(',') + '\n' + line;
    }
    const text = line + '\n';
    if (this.fd !== undefined) return writeWhole(this.fd, text);
    if (this.closedBy) throw this.closedBy;
    const s = this.stream!;
    if (!s.write(text)) await once(s, 'drain').catch(() => undefined);
    if (this.closedBy) throw this.closedBy;
  }

  /** Formats and writes one row (for callers that do not need the batch's ordering). */
  async writeRow(row: OutputRow): Promise<void> {
    await this.write(this.format(row));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
  }

  private header(): string[] {
    const header = this.format_ === 'csv-wide'
      ? wideHeader(this.classes, this.levelSlots)
      : ['id', 'source', 'ground_truth', 'label', 'knownness', 'unknown', ...this.classes.map((c) => `p_${c}`), 'error_code', 'error_message'];
    if (this.windows) header.splice(2, 0, ...WINDOW_COLUMNS);
    return header;
  }
}

function writeWhole(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
}

/** JSON of a row, or ROW_NOT_SERIALISABLE naming the level whose output cannot be serialised. */
function jsonLine(row: OutputRow): string {
  try {
    return JSON.stringify(row);
  } catch (e) {
    const culprit = Object.entries(row.levels).find(([, l]) => !serialises(l));
    throw errors.rowNotSerialisable(`${culprit ? `level "${culprit[0]}": ` : ''}${(e as Error).message.split('\n')[0]}`);
  }
}

function serialises(v: unknown): boolean {
  try {
    JSON.stringify(v);
    return true;
  } catch {
    return false;
  }
}

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
