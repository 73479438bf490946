// The one registry: every rule id the config, suppressions, docs, CLI and editor know comes from here.
import { designRules } from '../catalogue/design';
import { lockingRules } from '../catalogue/locking';
import { securityRules } from '../catalogue/security';
import { tenancyRules } from '../catalogue/tenancy';
import { metaRules } from './meta-rules';
import type { RuleMeta, Rule } from './types';

export { metaRules };

export const allRules: Rule[] = [...tenancyRules, ...securityRules, ...lockingRules, ...designRules];

export const allRuleMeta: RuleMeta[] = [...allRules, ...metaRules];

export const allRuleIds: string[] = allRuleMeta.map((r) => r.id);

export function ruleMeta(id: string): RuleMeta | undefined {
  return allRuleMeta.find((r) => r.id === id);
}

/** The documentation page of a rule, derived from its id (never typed by hand). */
export const DOCS_BASE = 'https://github.com/sql-architect/sql-architect/blob/main/docs/rules/';
export function docsUrl(id: string): string {
  return `${DOCS_BASE}${id}.md`;
}
