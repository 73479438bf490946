// The locking rules, in the order the docs list them. The registry (rules/engine/registry.ts) joins the categories.
import type { Rule } from '../engine/types';
import { requireConcurrentIndex } from './require-concurrent-index';

export const lockingRules: Rule[] = [
  requireConcurrentIndex,
];
