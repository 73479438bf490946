// The locking rules, in the order the docs list them. The registry (rules/engine/registry.ts) joins the categories.
import type { Rule } from '../engine/types';
import { requireConcurrentIndex } from './require-concurrent-index';
import { requireConcurrentIndexDrop } from './require-concurrent-index-drop';
import { requireConcurrentReindex } from './require-concurrent-reindex';
import { requireConcurrentDetachPartition } from './require-concurrent-detach-partition';
import { requireConcurrentRefreshMatview } from './require-concurrent-refresh-matview';
import { noConcurrentInTransaction } from './no-concurrent-in-transaction';
import { requireNotValidForeignKey } from './require-not-valid-foreign-key';
import { requireNotValidCheck } from './require-not-valid-check';
import { noValidateInSameTransaction } from './no-validate-in-same-transaction';
import { noSetNotNullScan } from './no-set-not-null-scan';
import { noUniqueConstraintLock } from './no-unique-constraint-lock';
import { noExclusionConstraintLock } from './no-exclusion-constraint-lock';
import { noVolatileDefaultColumn } from './no-volatile-default-column';
import { noRequiredColumnWithoutDefault } from './no-required-column-without-default';
import { noColumnTypeRewrite } from './no-column-type-rewrite';
import { noTableRewrite } from './no-table-rewrite';
import { noTruncate } from './no-truncate';
import { noRenameColumn } from './no-rename-column';
import { noRenameTable } from './no-rename-table';
import { noDropColumn } from './no-drop-column';
import { noDropTable } from './no-drop-table';
import { requireLockTimeout } from './require-lock-timeout';
import { noSlowStatementAfterAccessExclusive } from './no-slow-statement-after-access-exclusive';

export const lockingRules: Rule[] = [
  requireConcurrentIndex,
  requireConcurrentIndexDrop,
  requireConcurrentReindex,
  requireConcurrentDetachPartition,
  requireConcurrentRefreshMatview,
  noConcurrentInTransaction,
  requireNotValidForeignKey,
  requireNotValidCheck,
  noValidateInSameTransaction,
  noSetNotNullScan,
  noUniqueConstraintLock,
  noExclusionConstraintLock,
  noVolatileDefaultColumn,
  noRequiredColumnWithoutDefault,
  noColumnTypeRewrite,
  noTableRewrite,
  noTruncate,
  noRenameColumn,
  noRenameTable,
  noDropColumn,
  noDropTable,
  requireLockTimeout,
  noSlowStatementAfterAccessExclusive,
];
