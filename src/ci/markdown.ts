/** Markdown inline code holding `text` as it is, even with backticks in it (for_each keys may hold any character). */
export function inlineCode(text: string): string {
  const shown = oneLine(text);
  const longest = Math.max(0, ...[...shown.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = shown.startsWith("`") || shown.endsWith("`") ? " " : "";
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/**
 * Text from outside (a plan, a lock) for Markdown prose: on one line, its HTML shown rather than rendered and its
 * Markdown syntax shown rather than applied, so it can neither end the element it is in nor add one.
 */
export function plainText(text: string): string {
  return oneLine(text)
    .replace(/[&<>]/g, (character) => HTML_ENTITIES[character])
    .replace(/[\\`*_[\]()#|~!]/g, "\\$&");
}

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `text` with each control character and line or paragraph separator written as its escape (`\n`, `\u0000`). */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, (character) => ESCAPES[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
