export { writeHtmlReport, loadReportAssets, reportHtmlFileName } from "./write-html-report.ts";
export { renderReportHtml, chartData, type ReportAssets, type ChartData } from "./render-report.ts";
export { loadReportInput, phaseSchema, phasesFileSchema, replicaTimelineSchema, replicasFileSchema, phasesFileName, replicasFileName, type Phase, type ReplicaTimeline, type ReportInput } from "./report-input.ts";
