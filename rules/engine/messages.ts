// Messages: a rule declares templates (`messages`), a report names one (`messageId`) with the values of its
// placeholders (`data`), and the engine renders the text here, as ESLint does.
import type { Finding, MessageData, Report, RuleMeta } from './types';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** The template with each `{{name}}` replaced by `data.name`; a placeholder without data stays as written. */
export function formatMessage(template: string, data: MessageData = {}): string {
  const parts = compiled(template);
  if (parts.length === 1) return parts[0];
  // Joined once: `+=` would leave a tree of a dozen concatenated strings in every finding (32 bytes each; 70,000
  // findings kept about 700,000 of them), where a join makes one flat string.
  const out = [parts[0]];
  for (let i = 1; i < parts.length; i += 3) {
    const name = parts[i];
    out.push(Object.hasOwn(data, name) ? String(data[name]) : parts[i + 1], parts[i + 2]);
  }
  return out.join('');
}

/** A template split once at its placeholders: text, then (name, the placeholder as written, text) for each. */
const templates = new Map<string, string[]>();
function compiled(template: string): string[] {
  let parts = templates.get(template);
  if (!parts) {
    const matches = [...template.matchAll(PLACEHOLDER)];
    parts = [template.slice(0, matches[0]?.index ?? template.length)];
    matches.forEach((m, i) => {
      const end = m.index + m[0].length;
      parts!.push(m[1], m[0], template.slice(end, matches[i + 1]?.index ?? template.length));
    });
    templates.set(template, parts);
  }
  return parts;
}

/** The placeholders a template names, once each. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** The text of a report; throws when the rule does not declare its messageId (the runner records that as an internal error). */
export function reportMessage(rule: Pick<RuleMeta, 'id' | 'messages'>, report: Pick<Report, 'messageId' | 'data'>): string {
  checkMessageId(rule, report);
  return formatMessage(rule.messages[report.messageId], report.data);
}

/** Throws as `reportMessage` does when the rule does not declare the report's messageId; renders nothing. */
export function checkMessageId(rule: Pick<RuleMeta, 'id' | 'messages'>, report: Pick<Report, 'messageId'>): undefined {
  if (!Object.hasOwn(rule.messages, report.messageId)) throw new Error(`${rule.id} reports messageId "${report.messageId}", which is not in its messages`);
  return undefined;
}

type MessageRule = Pick<RuleMeta, 'id' | 'messages'>;
/** The rule each id names, as findings were made; a second rule object with the same id (tests make some) is kept on its findings instead. */
const ruleById = new Map<string, MessageRule>();
const OWN_RULE = Symbol('rule');
type LazyFinding = Finding & { [OWN_RULE]?: MessageRule };
/** One getter for every finding: V8 keeps one accessor per property name on a hidden class (a getter per rule sent findings to dictionary mode). */
const ON_READ: PropertyDescriptor = {
  get(this: LazyFinding) {
    return reportMessage(this[OWN_RULE] ?? ruleById.get(this.rule)!, this);
  },
  enumerable: true,
  configurable: true,
};

/**
 * Gives a finding its `message` as an enumerable property rendered from its `messageId` and `data` each time it is
 * read, instead of a string kept for the whole analysis. A check writes each message once; the 70,000 findings of the
 * 20,000-table check kept 21 MB of them alive while the rest of its findings were made (its peak was about 330 MB,
 * the goal 300). Read, spread, compared or written as JSON, the finding is the same as one with the text stored. The
 * caller has checked the messageId (`checkMessageId`).
 */
export function messageOnRead(finding: Omit<Finding, 'message'>, rule: MessageRule): Finding {
  const known = ruleById.get(rule.id);
  if (known === undefined) ruleById.set(rule.id, rule);
  else if (known !== rule) Object.defineProperty(finding, OWN_RULE, { value: rule });
  return Object.defineProperty(finding, 'message', ON_READ) as Finding;
}
