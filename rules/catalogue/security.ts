// The security rules, in the order the docs list them. The registry (rules/engine/registry.ts) joins the categories.
import type { Rule } from '../engine/types';
import { noAlwaysTrueWritePolicy } from './no-always-true-write-policy';
import { noPublicGrant } from './no-public-grant';
import { noSqlInjection } from './no-sql-injection';
import { noUnencryptedSensitiveColumn } from './no-unencrypted-sensitive-column';
import { requireDefinerCallerCheck } from './require-definer-caller-check';
import { requireSecurityDefinerSearchPath } from './require-security-definer-search-path';

export const securityRules: Rule[] = [
  noUnencryptedSensitiveColumn,
  requireSecurityDefinerSearchPath,
  requireDefinerCallerCheck,
  noSqlInjection,
  noPublicGrant,
  noAlwaysTrueWritePolicy,
];
