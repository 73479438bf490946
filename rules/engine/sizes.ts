// Table sizes: read from a live database (reltuples, pg_total_relation_size) or stated in the configuration
// ("tableSizes"). A lock held while a table is scanned, rewritten or indexed lasts as long as the table is big:
// findings of such locks say the size, and on a small table they are reported as info.
import { displayName, type SchemaModel } from '../model/schema';
import type { TableModel } from '../model/types';
import type { LockEntry, LockPlan } from '../locks';
import type { ResolvedConfig } from './config';

export interface TableSize {
  /** Estimated rows (pg_class.reltuples, or the configured count); undefined when unknown. */
  rows?: number;
  /** On-disk size with indexes and TOAST (pg_total_relation_size). */
  bytes?: number;
  /** Stated in the configuration as "small" or "large", without numbers. */
  label?: 'small' | 'large';
  source: 'database' | 'configuration';
}

/** The size of a table: the configuration (by `schema.name` or `name`) wins over what the database said. */
export function tableSize(config: ResolvedConfig, t: TableModel): TableSize | undefined {
  const set = config.tableSizes[`${t.schema}.${t.name}`] ?? config.tableSizes[t.name] ?? (t.schema === 'public' ? config.tableSizes[`public.${t.name}`] : undefined);
  if (set !== undefined) return typeof set === 'number' ? { rows: set, source: 'configuration' } : { label: set, source: 'configuration' };
  return t.size ? { ...t.size, source: 'database' } : undefined;
}

/** The lock plan with each entry's table size, where it is known. */
export function withSizes(plan: LockPlan, model: SchemaModel, config: ResolvedConfig): LockPlan {
  if (!Object.keys(config.tableSizes).length && !model.sized) return plan;
  return {
    ...plan,
    entries: plan.entries.map((e) => {
      const t = tableNamed(model, e.table);
      const size = t ? tableSize(config, t) : undefined;
      return size ? { ...e, size } : e;
    }),
  };
}

/** The model's table a lock entry names (`orders`, `billing.invoices`). */
function tableNamed(model: SchemaModel, name: string): TableModel | undefined {
  const dot = name.indexOf('.');
  const t = dot > 0 ? model.table({ schema: name.slice(0, dot), name: name.slice(dot + 1) }) : model.table({ name });
  return t && displayName(t) === name ? t : undefined;
}

export function isSmall(size: TableSize, config: ResolvedConfig): boolean {
  if (size.label) return size.label === 'small';
  const rows = size.rows ?? (size.bytes !== undefined ? size.bytes / 100 : undefined);
  return rows !== undefined && rows < config.smallTableRows;
}

/** `about 40 M rows, 18 GB` */
export function sizeText(size: TableSize): string {
  if (size.label) return `${size.label} ("tableSizes" in .sqlarchitect.json)`;
  const parts: string[] = [];
  if (size.rows !== undefined) parts.push(`about ${count(size.rows)} row${size.rows === 1 ? '' : 's'}`);
  if (size.bytes !== undefined) parts.push(bytesText(size.bytes));
  return parts.join(', ');
}

function count(n: number): string {
  const r = Math.round(n);
  if (r < 1000) return String(r);
  for (const [d, unit] of [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (r >= d) return `${(r / d).toFixed(r / d < 10 ? 1 : 0).replace(/\.0$/, '')} ${unit}`;
  }
  return String(r);
}

function bytesText(b: number): string {
  for (const [d, unit] of [[2 ** 40, 'TB'], [2 ** 30, 'GB'], [2 ** 20, 'MB'], [2 ** 10, 'kB']] as const) {
    if (b >= d) return `${(b / d).toFixed(b / d < 10 ? 1 : 0).replace(/\.0$/, '')} ${unit}`;
  }
  return `${b} bytes`;
}

// Reading, sorting or rewriting a table goes at tens of MB per second on ordinary hardware while it holds the
// lock: a rough figure, to tell seconds from hours, not a measurement.
const BYTES_PER_SECOND = 50 * 2 ** 20;
const BYTES_PER_ROW = 100;

/** How long a scan, rewrite or index build of the table holds its lock, in words. */
function duration(size: TableSize): string | undefined {
  const bytes = size.bytes ?? (size.rows !== undefined ? size.rows * BYTES_PER_ROW : undefined);
  if (bytes === undefined) return undefined;
  const s = bytes / BYTES_PER_SECOND;
  return s < 1 ? 'well under a second' : s < 60 ? 'seconds' : s < 3600 ? 'minutes' : 'hours';
}

/** The entry of a statement's locks whose size matters for a finding: the largest table it scans or rewrites. */
export function sizedEntry(plan: LockPlan | undefined): LockEntry | undefined {
  const existing = (plan?.entries ?? []).filter((e) => e.existing);
  const slow = existing.filter((e) => e.scan || e.rewrite);
  const pool = slow.length ? slow : existing;
  // One table of unknown size may be the large one: say nothing then.
  if (!pool.length || pool.some((e) => !e.size)) return undefined;
  const weight = (e: LockEntry) => (e.size!.label === 'large' ? Infinity : e.size!.label === 'small' ? -1 : e.size!.bytes ?? (e.size!.rows ?? 0) * BYTES_PER_ROW);
  return pool.reduce((a, b) => (weight(b) > weight(a) ? b : a));
}

/** What a lock finding adds when the table's size is known, and whether it is small enough to report as info. */
export function sizeNote(e: LockEntry, config: ResolvedConfig): { text: string; small: boolean } {
  const size = e.size!;
  const small = isSmall(size, config);
  const held = duration(size);
  if (size.label) {
    return { small, text: ` ${e.table} is ${sizeText(size)}${small ? ': the lock is brief, so this is reported as info.' : '.'}` };
  }
  const text = ` ${e.table} holds ${sizeText(size)}${size.source === 'database' ? ' (from the database)' : ''}: ${small
    ? `on a table this small the lock is held ${held === 'well under a second' ? 'for well under a second' : 'briefly'}, so this is reported as info (below "smallTableRows": ${config.smallTableRows}).`
    : `at this size ${e.what} holds the lock for ${held ?? 'a long time'}.`}`;
  return { small, text };
}
