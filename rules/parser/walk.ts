// Deep copies of parsed actions with their offsets or strings changed: the incremental parse moves a statement's
// actions with it, placeholders get their written names back, and PL/pgSQL statements map offsets into the file.

/** Every `start` / `end` number in a value (spans, TypeRef starts) sent through `map`. */
export function mapOffsets<T>(value: T, map: (offset: number) => number): T {
  if (Array.isArray(value)) return value.map((v) => mapOffsets(v, map)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = (k === 'start' || k === 'end') && typeof v === 'number' ? map(v) : mapOffsets(v, map);
  return out as T;
}

/** Every string in a value sent through `map`. */
export function mapStrings<T>(value: T, map: (s: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return map(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x);
    return out;
  };
  return walk(value) as T;
}
