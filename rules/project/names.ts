// Name matching for the project model: identifiers compared case- and underscore-insensitively, so Prisma's
// "organizationId", Rails' organization_id and "OrganizationID" are the same name.
import type { SchemaModel } from '../model/schema';
import { integerType, type QName, type TableModel, type TypeRef } from '../model/types';
import { remembered } from '../model/remember';

/** `organizationId`, `organization_id`, `ORGANIZATION_ID` → `organizationid`. */
export const normName = remembered((name) => name.toLowerCase().replace(/[_\s-]/g, ''));

/** The registry-table stems of tenant column names: `organization_id` → `organization`. */
export function tenantStems(tenantColumns: readonly string[]): string[] {
  return [...new Set(tenantColumns.map(normName).map((n) => n.replace(/(id|uuid|key|ref)$/, '')).filter((n) => n.length > 1))];
}

/** `organizations`, `Organization`, `orgs`, `team`: a table whose name is a tenant stem (singular or plural). */
export function isRegistryNamed(table: { name: string }, stems: readonly string[]): boolean {
  const n = normName(table.name);
  return stems.some((s) => n === s || n === `${s}s` || n === `${s}es`);
}

const USER_LIKE = /^(users?|profiles?|persons?|people|members?|identit(y|ies)|principals?|customers?)$/;

/** Tables of people, not of tenants: `auth.users`, `profiles`, `User`. */
export function isUserTable(table: { schema?: string; name: string }): boolean {
  return table.schema === 'auth' || USER_LIKE.test(normName(table.name));
}

/** A column that names a user: `user_id`, `ownerId`, `created_by`, `profile_id`. */
export function isUserColumn(name: string): boolean {
  return /^(user|owner|creator|author|profile|member|account_user|createdby|updatedby|invitedby|requester|assignee)(id|uid|uuid)?$/.test(normName(name))
    || /(userid|useruid|useruuid)$/.test(normName(name));
}

/** The column that a foreign key of one column refers to: its refColumns, else the referenced table's primary key. */
export function referencedColumn(model: SchemaModel, ref: QName, refColumns: string[] | undefined): { table: TableModel; column: string } | undefined {
  const t = model.table(ref);
  if (!t) return undefined;
  const col = refColumns?.[0] ?? t.constraints.find((c) => c.kind === 'primary')?.columns[0];
  return col ? { table: t, column: col } : undefined;
}

/** Types that hold the same values for the purpose of a key (text and varchar, int4 and int8, uuid and uuid). */
export function sameKeyType(a: TypeRef | undefined, b: TypeRef | undefined): boolean {
  if (!a || !b) return false;
  const family = (t: TypeRef) => (['text', 'varchar', 'bpchar', 'citext'].includes(t.name) ? 'text'
    : integerType(t) || t.name === 'numeric' ? 'int' : t.name);
  return family(a) === family(b) && a.array === b.array;
}

/** The words of a name: `providerRefreshToken` → provider, refresh, token; `card_last4` → card, last4 (frozen: callers share it). */
export const nameWords = remembered((name): readonly string[] =>
  Object.freeze(name.replace(/([\p{Ll}\d])(\p{Lu})/gu, '$1_$2').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean)));
