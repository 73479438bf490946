// The security rules, in the order the docs list them. The registry (rules/engine/registry.ts) joins the categories.
import type { Rule } from '../engine/types';

export const securityRules: Rule[] = [];
