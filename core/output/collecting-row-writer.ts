/** A RowWriter that also keeps the rows it wrote, for a report built after the run (`pipeline run --report`). */
import { RowWriter } from './row-writer.ts';
import type { OutputRow } from './row.ts';

export class CollectingRowWriter extends RowWriter {
  readonly rows: OutputRow[] = [];

  override write(row: OutputRow): void {
    this.rows.push(row);
    super.write(row);
  }
}
