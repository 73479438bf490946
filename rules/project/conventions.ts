// Project-wide choices: when a project does something the same way everywhere (timestamp without time zone in
// every table, integer keys), that is one design decision, reported once with the places listed, not once per column.
import type { SchemaModel } from '../model/schema';
import { integerType, isSerialType, type Origin } from '../model/types';
import type { Convention } from './types';

/** At least this many places, and the other choice in at most this share of them, make a convention. */
const MIN_PLACES = 5;
const MAX_OTHER_SHARE = 0.25;

/** A convention when `places` are enough and the other choice rare enough (also for rules that see more than the model). */
export function consistent(id: Convention['id'], text: string, places: Origin[], others: number): Convention | undefined {
  if (places.length < MIN_PLACES || others > MAX_OTHER_SHARE * (places.length + others)) return undefined;
  return { id, text, places, count: places.length };
}

export function inferConventions(model: SchemaModel): Map<Convention['id'], Convention> {
  const out = new Map<Convention['id'], Convention>();
  const naive: Origin[] = [];
  let aware = 0;
  const intKeys: Origin[] = [];
  let bigKeys = 0;
  for (const t of model.tables.values()) {
    for (const c of t.columns.values()) {
      if (c.type.name === 'timestamp') naive.push(c.origin);
      else if (c.type.name === 'timestamptz') aware++;
    }
    const pk = t.constraints.find((c) => c.kind === 'primary' && c.columns.length === 1);
    const col = pk ? t.columns.get(pk.columns[0]) : undefined;
    const int = col && integerType(col.type);
    const generated = col && (col.identity || col.hasDefault || isSerialType(col.type));
    if (col && generated && (int === 'int4' || int === 'int2')) intKeys.push(col.origin);
    else if (col && int === 'int8') bigKeys++;
  }
  const ts = consistent('timestamp-without-time-zone', `stores points in time as timestamp without time zone in ${naive.length} columns${aware ? ` (timestamptz in ${aware})` : ''}`, naive, aware);
  if (ts) out.set(ts.id, ts);
  const ik = consistent('int-keys', `uses integer (32-bit) primary keys in ${intKeys.length} tables${bigKeys ? ` (bigint in ${bigKeys})` : ''}`, intKeys, bigKeys);
  if (ik) out.set(ik.id, ik);
  return out;
}
