// The tenancy rules, in the order the docs list them. The registry (rules/engine/registry.ts) joins the categories.
import type { Rule } from '../engine/types';
import { requireTenantIndex } from './require-tenant-index';

export const tenancyRules: Rule[] = [
  requireTenantIndex,
];
