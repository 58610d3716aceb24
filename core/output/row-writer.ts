/**
 * Writes rows as JSON Lines or CSV. Each row is one writeSync of a complete line, so a run killed at
 * any point leaves only whole lines behind (a reader can resume or count what was done).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { OutputRow } from './row.ts';
import { wideCells, wideHeader } from './wide-columns.ts';

export type OutputFormat = 'jsonl' | 'csv' | 'csv-wide';

export class RowWriter {
  private readonly fd: number;
  private headerWritten = false;

  /** `file` undefined writes to stdout. */
  constructor(private readonly format: OutputFormat, file: string | undefined, private readonly classes: string[] = [], private readonly levelSlots: string[] = []) {
    this.fd = file ? openSync(file, 'w') : 1;
  }

  write(row: OutputRow): void {
    if (this.format === 'jsonl') return this.line(JSON.stringify(row));
    if (this.format === 'csv-wide') return this.wide(row);
    if (!this.headerWritten) {
      this.line(['id', 'source', 'ground_truth', 'label', 'knownness', 'unknown', ...this.classes.map((c) => `p_${c}`), 'error_code', 'error_message'].map(csvCell).join(','));
      this.headerWritten = true;
    }
    const cells = [row.id, row.source, row.groundTruth ?? '', row.label ?? '', row.knownness, row.unknown, ...this.classes.map((c) => row.probabilities[c] ?? ''), row.error?.code ?? '', row.error?.message ?? ''];
    this.line(cells.map(csvCell).join(','));
  }

  /** See wide-columns.ts. */
  private wide(row: OutputRow): void {
    if (!this.headerWritten) {
      this.line(wideHeader(this.classes, this.levelSlots).map(csvCell).join(','));
      this.headerWritten = true;
    }
    this.line(wideCells(row, this.classes, this.levelSlots).map(csvCell).join(','));
  }

  close(): void {
    if (this.fd !== 1) closeSync(this.fd);
  }

  private line(text: string): void {
    writeSync(this.fd, text + '\n');
  }
}

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
