// The report as JSON: the model itself, versioned (`version: 1`; fields are only ever added).
import type { ReportModel } from './types';

export function renderJson(report: ReportModel): string {
  return JSON.stringify(report, null, 2) + '\n';
}
