// Lists grouped by key, grown in place: copying a key's list to append one item made grouping n items by one key
// cost n²/2 copies (70,000 findings of one file: JUnit output took 33 s).

/** Appends `item` to the list `map` holds for `key`, making the list on first use. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, item: V): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}
