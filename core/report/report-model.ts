/** What an HTML report shows, as plain data: each command builds one, `html-report.ts` draws it. */

export interface Table {
  title: string;
  headers: string[];
  rows: string[][];
}

export interface ConfusionMatrix {
  title: string;
  classes: string[];
  /** matrix[t][p]: clips of true class t predicted as p. */
  matrix: number[][];
}

/** Horizontal bars, with optional interval whiskers (drawn as floating bars beside the value). */
export interface BarChart {
  title: string;
  labels: string[];
  values: number[];
  low?: number[];
  high?: number[];
  xLabel: string;
}

export interface LineChart {
  title: string;
  x: number[];
  series: { name: string; values: (number | null)[] }[];
  xLabel: string;
  yLabel: string;
}

/** Curves over a numeric x axis (ROC curves): each series is its own list of points. */
export interface XyChart {
  title: string;
  series: { name: string; points: [number, number][] }[];
  xLabel: string;
  yLabel: string;
}

/** Per-frame action-unit intensities, as the description level reports them. */
export interface AuTimeline {
  aus: string[];
  intensity: Record<string, (number | null)[]>;
}

export interface ClipTable {
  title: string;
  headers: string[];
  rows: { cells: string[]; thumbnail?: string; au?: AuTimeline }[];
}

export interface ReportData {
  title: string;
  subtitle?: string;
  tables: Table[];
  bars: BarChart[];
  lines: LineChart[];
  xy?: XyChart[];
  confusions: ConfusionMatrix[];
  clips?: ClipTable;
}
