/** Self-contained HTML reports that plugin commands write (training runs, open-set draws). */
export { writeHtmlReport, renderHtmlReport } from './html-report.ts';
export { trainReport, type EpochPoint } from './train-report.ts';
export { openSetReport, type OpenSetDrawSummary } from './open-set-report.ts';
export type { ReportData } from './report-model.ts';
