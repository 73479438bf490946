// Messages: a rule declares templates (`messages`), a report names one (`messageId`) with the values of its
// placeholders (`data`), and the engine renders the text here, as ESLint does.
import type { MessageData, Report, RuleMeta } from './types';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The template with each `{{name}}` replaced by `data.name`; a placeholder without data stays as written. */
export function formatMessage(template: string, data: MessageData = {}): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(data, name) ? String(data[name]) : whole));
}

/** The placeholders a template names, once each. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** The text of a report; throws when the rule does not declare its messageId (the runner records that as an internal error). */
export function reportMessage(rule: Pick<RuleMeta, 'id' | 'messages'>, report: Pick<Report, 'messageId' | 'data'>): string {
  if (!Object.hasOwn(rule.messages, report.messageId)) throw new Error(`${rule.id} reports messageId "${report.messageId}", which is not in its messages`);
  return formatMessage(rule.messages[report.messageId], report.data);
}
