/**
 * A setup file of every test run: cdktf records where each of its tokens was created, as a complete stack trace
 * captured on a plain object (`Error.captureStackTrace({ stack: "" })`), thousands of times per synthesis. The test
 * runner formats every trace through the source maps of the code it loaded, which made a synthesis three to four
 * times slower than the synthesis itself. Those traces (captured on objects that are not Errors) get V8's own
 * formatting here; an Error's trace keeps the runner's, so a failing test still points at its TypeScript line.
 */
const MARK = Symbol.for("coalition.tokenStackTraces");

type Prepare = (error: Error, frames: NodeJS.CallSite[]) => unknown;

/** V8's own format: the first line, then one `    at <frame>` line per frame. */
const v8Format = (error: unknown, frames: NodeJS.CallSite[]) => [String(error), ...frames.map((frame) => `    at ${frame}`)].join("\n");

const current = Error.prepareStackTrace as (Prepare & { [MARK]?: true }) | undefined;
// Test files share a worker (isolate: false): the runner's formatter is wrapped once.
if (!current?.[MARK]) {
  const forErrors: Prepare = current ?? v8Format;
  const prepare: Prepare & { [MARK]?: true } = (error, frames) => (error instanceof Error ? forErrors(error, frames) : v8Format(error, frames));
  prepare[MARK] = true;
  Error.prepareStackTrace = prepare;
}
