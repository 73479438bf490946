// The entity-relationship diagram of the report: Mermaid `erDiagram` text (GitHub renders it in Markdown) and a
// simple box layout the HTML renderer draws as inline SVG (no script, no external resources).
import type { Relationship, TableFact } from './types';
import { pushTo } from '../model/group';

/** A Mermaid-safe identifier: letters, digits and `_`, unique within the diagram. */
function idMaker(): (key: string) => string {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  return (key) => {
    let id = ids.get(key);
    if (id) return id;
    const base = key.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 't';
    id = /^[0-9]/.test(base) ? `t_${base}` : base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    ids.set(key, id);
    return id;
  };
}

function mermaidWord(s: string): string {
  return s.replace(/\[\]/g, '_array').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'x';
}

/** Mermaid `erDiagram`: tables with their columns (PK/FK marked) and one relationship per foreign key. */
export function mermaidErDiagram(tables: TableFact[], relationships: Relationship[], qualifyBySet: boolean): string {
  const id = idMaker();
  const key = (set: string, name: string) => (qualifyBySet ? `${set}/${name}` : name);
  const lines = ['erDiagram'];
  for (const t of tables) {
    lines.push(`  ${id(key(t.set, t.name))} {`);
    for (const c of t.columns) {
      const marks = [c.primaryKey ? 'PK' : '', c.foreignKey ? 'FK' : ''].filter(Boolean).join(', ');
      lines.push(`    ${mermaidWord(c.type)} ${mermaidWord(c.name)}${marks ? ` ${marks}` : ''}`);
    }
    lines.push('  }');
  }
  for (const r of relationships) {
    const label = r.name.replace(/[^A-Za-z0-9_ .-]+/g, '_');
    // The referenced row: exactly one when every referencing column is NOT NULL, else zero or one.
    lines.push(`  ${id(key(r.set, r.to))} ${r.required ? '||' : '|o'}--o{ ${id(key(r.set, r.from))} : "${label}"`);
  }
  return lines.join('\n');
}

export interface ErBox {
  key: string;
  set: string;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Columns shown (the first few), with their marks. */
  rows: { text: string; pk: boolean; fk: boolean }[];
  more: number;
  external: boolean;
}

export interface ErEdge {
  from: ErBox;
  to: ErBox;
  label: string;
}

export interface ErLayout {
  width: number;
  height: number;
  boxes: ErBox[];
  edges: ErEdge[];
}

export const ER = { boxWidth: 230, header: 24, row: 16, gapX: 60, gapY: 50, margin: 20, maxRows: 12 } as const;

/**
 * Boxes on a grid, related tables next to each other (breadth-first over the foreign keys), so most lines are
 * short. Referenced tables outside the schema (auth.users) get a box without columns.
 */
export function layoutEr(tables: TableFact[], relationships: Relationship[]): ErLayout {
  const key = (set: string, name: string) => `${set}\u0000${name}`;
  const boxes = new Map<string, ErBox>();
  for (const t of tables) {
    const rows = t.columns.slice(0, ER.maxRows).map((c) => ({ text: `${c.name} ${c.type}`, pk: c.primaryKey, fk: c.foreignKey }));
    boxes.set(key(t.set, t.name), { key: key(t.set, t.name), set: t.set, name: t.name, x: 0, y: 0, width: ER.boxWidth, height: 0, rows, more: Math.max(0, t.columns.length - ER.maxRows), external: false });
  }
  for (const r of relationships) {
    const k = key(r.set, r.to);
    if (!boxes.has(k)) boxes.set(k, { key: k, set: r.set, name: r.to, x: 0, y: 0, width: ER.boxWidth, height: 0, rows: [], more: 0, external: true });
  }
  for (const b of boxes.values()) b.height = ER.header + Math.max(1, b.rows.length + (b.more ? 1 : 0)) * ER.row + 6;

  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string) => pushTo(neighbours, a, b);
  for (const r of relationships) {
    link(key(r.set, r.from), key(r.set, r.to));
    link(key(r.set, r.to), key(r.set, r.from));
  }
  // Most-connected tables first, then breadth-first through their relationships.
  const order: string[] = [];
  const seen = new Set<string>();
  const byDegree = [...boxes.keys()].sort((a, b) => (neighbours.get(b)?.length ?? 0) - (neighbours.get(a)?.length ?? 0));
  for (const start of byDegree) {
    if (seen.has(start)) continue;
    const queue = [start];
    seen.add(start);
    while (queue.length) {
      const k = queue.shift()!;
      order.push(k);
      for (const n of neighbours.get(k) ?? []) if (!seen.has(n)) { seen.add(n); queue.push(n); }
    }
  }
  const columns = Math.max(1, Math.min(5, Math.ceil(Math.sqrt(order.length))));
  let y = ER.margin;
  let width = 0;
  for (let i = 0; i < order.length; i += columns) {
    const row = order.slice(i, i + columns).map((k) => boxes.get(k)!);
    row.forEach((b, j) => { b.x = ER.margin + j * (ER.boxWidth + ER.gapX); b.y = y; });
    width = Math.max(width, ER.margin * 2 + row.length * ER.boxWidth + (row.length - 1) * ER.gapX);
    y += Math.max(...row.map((b) => b.height)) + ER.gapY;
  }
  const edges = relationships.map((r) => ({ from: boxes.get(key(r.set, r.from))!, to: boxes.get(key(r.set, r.to))!, label: r.name })).filter((e) => e.from && e.to);
  return { width: Math.max(width, ER.margin * 2 + ER.boxWidth), height: order.length ? y - ER.gapY + ER.margin : ER.margin * 2, boxes: order.map((k) => boxes.get(k)!), edges };
}

/** Where the segment from the centre of `a` towards the centre of `b` leaves `a`'s rectangle. */
export function edgePoint(a: ErBox, b: ErBox): { x: number; y: number } {
  const cx = a.x + a.width / 2;
  const cy = a.y + a.height / 2;
  const dx = b.x + b.width / 2 - cx;
  const dy = b.y + b.height / 2 - cy;
  if (dx === 0 && dy === 0) return { x: cx, y: a.y };
  const sx = dx === 0 ? Infinity : a.width / 2 / Math.abs(dx);
  const sy = dy === 0 ? Infinity : a.height / 2 / Math.abs(dy);
  const s = Math.min(sx, sy);
  return { x: cx + dx * s, y: cy + dy * s };
}
