// Keeps package.json's `sqlArchitect.rules` setting in step with the rule registry: one property per rule id,
// each an enum of severities. `--check` exits 1 when package.json is out of date.
import fs from 'node:fs';
import path from 'node:path';
import { allRuleMeta } from '../rules/engine/registry';

const ROOT = path.resolve(__dirname, '..');
const PKG = path.join(ROOT, 'package.json');

export function manifestRulesProperties(): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const r of [...allRuleMeta].sort((a, b) => a.id.localeCompare(b.id))) {
    props[r.id] = { type: 'string', enum: ['off', 'info', 'warning', 'error'], description: `${r.title} (default: ${r.defaultSeverity}).` };
  }
  return props;
}

export function updatedManifest(text: string): string {
  const pkg = JSON.parse(text);
  pkg.contributes.configuration.properties['sqlArchitect.rules'].properties = manifestRulesProperties();
  pkg.contributes.configuration.properties['sqlArchitect.rules'].additionalProperties = false;
  return JSON.stringify(pkg, null, 2) + '\n';
}

if (require.main === module) {
  const current = fs.readFileSync(PKG, 'utf8');
  const next = updatedManifest(current);
  if (process.argv.includes('--check')) {
    if (next !== current) { console.error('package.json is out of date: run npx tsx scripts/gen-manifest.ts'); process.exit(1); }
  } else if (next !== current) {
    fs.writeFileSync(PKG, next);
    console.log('updated package.json (sqlArchitect.rules)');
  }
}
