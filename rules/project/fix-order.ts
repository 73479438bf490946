// The order an editor offers the fixes of findings that share a line.
import { ruleMeta } from '../engine/registry';

/**
 * Lower first: tenancy and security fixes before locking and design ones; `require-lock-timeout` last, because its
 * fix (a lock_timeout prologue) suits every statement of the file and the specific fix of the line matters more.
 */
export function fixPriority(ruleId: string): number {
  if (ruleId === 'require-lock-timeout') return 2;
  const category = ruleMeta(ruleId)?.category;
  return category === 'tenancy' || category === 'security' ? 0 : 1;
}
