/** The PDF ECG report: what the CLI, the session and the TUI use. */
export { buildReportPdf, FOOTER_NOTICE } from './document.js';
export { writeReport, loadReportInput, RECORD_SETTLE_S, type WriteReportOptions, type WrittenReport } from './sources.js';
export { reportInputFromLive, writeLiveReport } from './live.js';
export { buildReportPdfOffThread, stopReportWorker, warmReportWorker } from './off-thread.js';
export { reportMetadata, type ReportMetadata } from './metadata.js';
export type { ReportInput, ReportInfo, ReportMeasurements, LeadTrace, LeadOffPeriod, Paper } from './types.js';
