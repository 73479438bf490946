// Preloaded into measured processes: reports peak resident memory at exit.
process.on('exit', () => {
  if (process.env.SQLA_MAXRSS_FILE) require('node:fs').writeFileSync(process.env.SQLA_MAXRSS_FILE, String(process.resourceUsage().maxRSS));
});
