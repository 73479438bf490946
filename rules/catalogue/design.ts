// The design rules, in the order the docs list them. The registry (rules/engine/registry.ts) joins the categories.
import type { Rule } from '../engine/types';
import { noDuplicateIndex } from './no-duplicate-index';
import { noMoneyType } from './no-money-type';
import { preferBigintPrimaryKey } from './prefer-bigint-primary-key';
import { preferJsonb } from './prefer-jsonb';
import { preferTimestamptz } from './prefer-timestamptz';
import { requireForeignKeyIndex } from './require-foreign-key-index';
import { requireMatchingForeignKeyType } from './require-matching-foreign-key-type';
import { requirePrimaryKey } from './require-primary-key';

export const designRules: Rule[] = [
  requirePrimaryKey,
  requireForeignKeyIndex,
  requireMatchingForeignKeyType,
  preferBigintPrimaryKey,
  noDuplicateIndex,
  preferTimestamptz,
  preferJsonb,
  noMoneyType,
];
