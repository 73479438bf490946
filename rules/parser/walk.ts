// Deep copies of parsed actions with their offsets or strings changed: the incremental parse moves a statement's
// actions with it, placeholders get their written names back, and PL/pgSQL statements map offsets into the file.

/** Every `start` / `end` number in a value (spans, TypeRef starts) sent through `map`. */
export function mapOffsets<T>(value: T, map: (offset: number) => number): T {
  if (Array.isArray(value)) {
    // A frozen list is one the parser shares (model/lists.ts: NONE, nameList): names, no offsets.
    if (Object.isFrozen(value)) return value;
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = mapOffsets(value[i], map);
    return out as T;
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    out[k] = typeof v === 'number' ? (k === 'start' || k === 'end' ? map(v) : v) : typeof v === 'object' ? mapOffsets(v, map) : v;
  }
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
