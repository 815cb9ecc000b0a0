// Preloaded by the benchmark: reports the process's peak resident set size when it exits.
process.on("exit", () => {
  process.stderr.write(`\nmax-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
