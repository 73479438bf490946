// Profiles a process from its first line to its exit, for processes a test client spawns (the language server):
//   SQLA_PROFILE_TARGET=dist/server.js node bench/profile-server.cjs --stdio
// The test client is given this file as the server (test/lsp-client.ts spawns `node <server> --stdio`), e.g.
//   SQLA_PROFILE_TARGET=$PWD/dist/server.js SERVER=bench/profile-server.cjs <client>
// SQLA_PROFILE=cpu (default) writes a .cpuprofile (sampled every SQLA_PROFILE_INTERVAL µs, default 1000: finer
// intervals overstate tight loops, see README "Profiling"); SQLA_PROFILE=heap writes a .heapprofile of sampled
// allocations, those garbage-collected included (what a keystroke allocates, not what it keeps).
// The file goes to SQLA_PROFILE_OUT (default server.cpuprofile / server.heapprofile in the working directory).
// Build with `node scripts/build.mjs --no-minify` first to keep function names. `bench/profile-summary.cjs` reads it.
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const target = process.env.SQLA_PROFILE_TARGET;
if (!target) {
  process.stderr.write('profile-server: set SQLA_PROFILE_TARGET to the script to profile (e.g. dist/server.js)\n');
  process.exit(2);
}
const heap = process.env.SQLA_PROFILE === 'heap';
const out = path.resolve(process.env.SQLA_PROFILE_OUT ?? (heap ? 'server.heapprofile' : 'server.cpuprofile'));
const session = new inspector.Session();
session.connect();
if (heap) {
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
} else {
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.SQLA_PROFILE_INTERVAL ?? 1000) });
  session.post('Profiler.start');
}

// The in-process inspector answers synchronously, so the profile is written before the process ends, however it ends.
let written = false;
function write() {
  if (written) return;
  written = true;
  session.post(heap ? 'HeapProfiler.stopSampling' : 'Profiler.stop', (err, result) => {
    if (err) process.stderr.write(`profile-server: ${err.message}\n`);
    else fs.writeFileSync(out, JSON.stringify(result.profile));
  });
}
process.on('exit', write);
process.on('SIGTERM', () => process.exit(0));
const exit = process.exit;
process.exit = function (code) {
  write();
  return exit.call(process, code);
};
require(path.resolve(target));
