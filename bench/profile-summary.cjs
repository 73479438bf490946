// Where a profile's time (or allocation) goes, as text:
//   node bench/profile-summary.cjs <file.cpuprofile | file.heapprofile> [--top N] [--under "name file:line"]
// Prints the top frames by self and by inclusive cost (a frame counted once per sample however deep it recurses);
// with --under, the frames called directly by that one, by their inclusive cost beneath it. Frames are named
// "function file:line" (lines of the bundle: build with `node scripts/build.mjs --no-minify`).
'use strict';
const fs = require('node:fs');

function usage(message) {
  process.stderr.write(`${message}\nusage: node bench/profile-summary.cjs <file.cpuprofile|file.heapprofile> [--top N] [--under "name file:line"]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith('--') && !['--top', '--under'].includes(args[i - 1]));
const top = args.includes('--top') ? Number(args[args.indexOf('--top') + 1]) || 30 : 30;
const under = args.includes('--under') ? args[args.indexOf('--under') + 1] : undefined;
if (!file) usage('profile-summary: no profile given');
let profile;
try {
  profile = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (e) {
  usage(`profile-summary: ${file}: ${e.message}`);
}

const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
/** Each node with its children (objects) and its own cost: sampled time for a CPU profile, bytes for a heap profile. */
let root;
let unit;
if (Array.isArray(profile.nodes)) {
  unit = 'ms';
  const byId = new Map(profile.nodes.map((n) => [n.id, { frame: n, children: [], self: 0 }]));
  for (const n of profile.nodes) for (const c of n.children ?? []) byId.get(n.id).children.push(byId.get(c));
  profile.samples.forEach((id, i) => { byId.get(id).self += (profile.timeDeltas[i] ?? 0) / 1000; });
  root = byId.get(profile.nodes[0].id);
} else if (profile.head) {
  unit = 'MB';
  const convert = (n) => ({ frame: n, self: (n.selfSize ?? 0) / 1e6, children: (n.children ?? []).map(convert) });
  root = convert(profile.head);
} else {
  usage(`profile-summary: ${file} is neither a .cpuprofile nor a .heapprofile`);
}

const self = new Map();
const inclusive = new Map();
const callees = new Map();
let total = 0;
let underTotal = 0;
/** Frames on the stack by name, with how many times each is there (recursion). */
class Stack {
  constructor() { this.counts = new Map(); }
  has(k) { return this.counts.has(k); }
  add(k) { this.counts.set(k, (this.counts.get(k) ?? 0) + 1); }
  delete(k) { const n = this.counts.get(k) - 1; if (n) this.counts.set(k, n); else this.counts.delete(k); }
}
/** Returns the node's inclusive cost; a frame already on the stack (recursion) adds nothing more to its own. */
function walk(node, stack, inside) {
  const key = name(node.frame);
  self.set(key, (self.get(key) ?? 0) + node.self);
  total += node.self;
  const entering = under !== undefined && key === under && !inside;
  const recursive = stack.has(key);
  stack.add(key);
  let sum = node.self;
  for (const c of node.children) {
    const cost = walk(c, stack, inside || entering);
    if (entering) callees.set(name(c.frame), (callees.get(name(c.frame)) ?? 0) + cost);
    sum += cost;
  }
  stack.delete(key);
  if (!recursive) inclusive.set(key, (inclusive.get(key) ?? 0) + sum);
  if (entering) underTotal += sum;
  return sum;
}
walk(root, new Stack(), false);

const fmt = (v) => `${v.toFixed(1).padStart(9)} ${unit}`;
const list = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${fmt(v)}  ${k}`).join('\n');
console.log(`${file}: ${fmt(total).trim()} in all`);
if (under !== undefined) {
  if (!callees.size && !underTotal) usage(`profile-summary: no frame "${under}" in ${file}`);
  console.log(`\n${under}: ${fmt(underTotal).trim()}, of which it calls:\n${list(callees)}`);
} else {
  console.log(`\nself\n${list(self)}\n\ninclusive\n${list(inclusive)}`);
}
