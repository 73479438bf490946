// The tenancy rules, in the order the docs list them. The registry (rules/engine/registry.ts) joins the categories.
import type { Rule } from '../engine/types';
import { noPerRowPolicyCall } from './no-per-row-policy-call';
import { noPolicyWithoutRls } from './no-policy-without-rls';
import { requirePolicyIndex } from './require-policy-index';
import { requireForceRls } from './require-force-rls';
import { requireOwnerCheck } from './require-owner-check';
import { requireRlsPolicy } from './require-rls-policy';
import { requireTenantInForeignKey } from './require-tenant-in-foreign-key';
import { requireTenantInUnique } from './require-tenant-in-unique';
import { requireTenantIndex } from './require-tenant-index';
import { requireTenantNotNull } from './require-tenant-not-null';
import { requireTenantRls } from './require-tenant-rls';
import { requireTenantScopedPolicy } from './require-tenant-scoped-policy';

export const tenancyRules: Rule[] = [
  requireTenantIndex,
  requireTenantRls,
  requireRlsPolicy,
  noPolicyWithoutRls,
  requireForceRls,
  requireTenantScopedPolicy,
  requireOwnerCheck,
  requireTenantInUnique,
  requireTenantInForeignKey,
  requireTenantNotNull,
  noPerRowPolicyCall,
  requirePolicyIndex,
];
