// Pure functions whose results are kept: of a name (bounded, for a long-running language server), or of an object
// while it lives (a set's file list, a project model, a statement; the engine builds new ones for each analysis and
// keeps a statement while it is unchanged).

/**
 * A pure function of a name, remembered: several rules call these for every column of the set. The memory is
 * forgotten past a bound, so a long-running language server does not keep every name it ever saw.
 */
export function remembered<T>(fn: (name: string) => T): (name: string) => T {
  const cache = new Map<string, T>();
  return (name) => {
    let v = cache.get(name);
    if (v === undefined) {
      if (cache.size > 100_000) cache.clear();
      v = fn(name);
      cache.set(name, v);
    }
    return v;
  };
}

/**
 * A pure function of an object, remembered while the object lives.
 */
export function rememberedFor<K extends object, V>(fn: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = fn(key);
      cache.set(key, v);
    }
    return v;
  };
}

/**
 * A pure function remembered for the last few keys given, found by identity first, then by `same`: what an editor
 * asks at every keystroke, of a key rebuilt each time but most often equal to the last one.
 */
export function rememberedRecent<K, V>(fn: (key: K) => V, same: (a: K, b: K) => boolean, keep = 4): (key: K) => V {
  const recent: { key: K; value: V }[] = [];
  return (key) => {
    let hit = recent.find((r) => r.key === key);
    if (!hit) {
      hit = recent.find((r) => same(r.key, key));
      // Equal keys: the new one is found by identity from now on (an analysis asks with its list many times).
      if (hit) hit.key = key;
    }
    if (hit) return hit.value;
    const value = fn(key);
    recent.unshift({ key, value });
    if (recent.length > keep) recent.pop();
    return value;
  };
}

/**
 * A pure function of a list of names, remembered for the last few lists given, by their content rather than their
 * identity. Each analysis of a set builds new lists of its paths or settings, most often equal to the last ones (an
 * editor analyses the same set at every keystroke): what is built from them (every taken migration name, a
 * classifier) need not be built again.
 */
export function rememberedForList<V>(fn: (list: readonly string[]) => V, keep = 4): (list: readonly string[]) => V {
  return rememberedRecent(fn, (a, b) => a.length === b.length && a.every((x, i) => x === b[i]), keep);
}
