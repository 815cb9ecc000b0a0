import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

export const ROOT = path.join(__dirname, "..", "..");

/** The project's documents: the README and every page of docs/, as paths relative to the project root. */
export function documents(root = ROOT): string[] {
  const pages = readdirSync(path.join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...pages];
}

const SHELL_LANGUAGES = new Set(["sh", "bash", "shell"]);
const FENCE = /^\s*```\s*([\w-]*)\s*$/;

/** A fenced code block: its language (as written after the backticks) and its lines, with their line numbers. */
interface Block {
  readonly language: string;
  readonly lines: { readonly text: string; readonly line: number }[];
}

function blocks(markdown: string): Block[] {
  const found: Block[] = [];
  let open: Block | undefined;
  markdown.split("\n").forEach((text, index) => {
    const fence = FENCE.exec(text);
    if (open) {
      if (fence && fence[1] === "") {
        found.push(open);
        open = undefined;
      } else {
        open.lines.push({ text, line: index + 1 });
      }
    } else if (fence) {
      open = { language: fence[1], lines: [] };
    }
  });
  return found;
}

/** The text before a trailing ` # comment`: a `#` after whitespace, outside quotes, starts a comment. */
export function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === "#" && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trimEnd();
}

/**
 * The commands of a document's ```sh, ```bash and ```shell blocks, in order, with the line each starts on:
 * a line ending in `\` continues on the next (joined with one space, indentation dropped); blank lines and
 * lines starting with `#` are not commands; a trailing ` # comment` is dropped; the rest is kept verbatim.
 */
export function commandsOf(markdown: string): { command: string; line: number }[] {
  const commands: { command: string; line: number }[] = [];
  for (const block of blocks(markdown).filter((b) => SHELL_LANGUAGES.has(b.language))) {
    let pending: { parts: string[]; line: number } | undefined;
    for (const { text, line } of block.lines) {
      const trimmed = text.trim();
      if (!pending && (trimmed === "" || trimmed.startsWith("#"))) continue;
      const current = pending ?? { parts: [], line };
      if (trimmed.endsWith("\\")) {
        current.parts.push(trimmed.slice(0, -1).trimEnd());
        pending = current;
        continue;
      }
      current.parts.push(trimmed);
      pending = undefined;
      commands.push({ command: withoutComment(current.parts.join(" ")), line: current.line });
    }
    if (pending) commands.push({ command: withoutComment(pending.parts.join(" ")), line: pending.line });
  }
  return commands;
}

/** Every documented command, with where it appears (`docs/deploy.md:12`). */
export function documentedCommands(root = ROOT): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of documents(root)) {
    for (const { command, line } of commandsOf(readFileSync(path.join(root, file), "utf8"))) {
      found.set(command, [...(found.get(command) ?? []), `${file}:${line}`]);
    }
  }
  return found;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a document's headings (outside code blocks), repeated ones numbered as GitHub does. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inBlock = false;
  for (const line of markdown.split("\n")) {
    if (FENCE.test(line)) inBlock = !inBlock;
    const heading = inBlock ? undefined : /^#{1,6}\s+(.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const anchor = anchorOf(heading);
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

/** The relative links of a document (`[text](target)`, outside code blocks and inline code). */
export function relativeLinksOf(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let inBlock = false;
  markdown.split("\n").forEach((text, index) => {
    if (FENCE.test(text)) inBlock = !inBlock;
    if (inBlock) return;
    for (const match of text.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:/i.test(match[1])) links.push({ target: match[1], line: index + 1 });
    }
  });
  return links;
}
