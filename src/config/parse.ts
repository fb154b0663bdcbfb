// local.conf is a DevStack meta-config file: blocks headed by [[GROUP|FILE]]
// at column 0. Pure: text in, blocks with file:line positions out.
import { ConfigError } from "../errors.ts";

/** One line of a block body, with its 1-based line number in the file. */
export interface BodyLine {
  line: number;
  text: string;
}

export interface MetaBlock {
  /** "local", "post-config", "extra", "post-extra", "test-config", ... */
  group: string;
  /** the file expression as written: "localrc", "$NOVA_CONF", "/etc/foo.conf" */
  file: string;
  /** the header line as written */
  header: string;
  /** 1-based line of the header */
  line: number;
  body: BodyLine[];
}

const HEADER_HINT = "a block header is [[GROUP|FILE]] at the start of a line, e.g. [[local|localrc]] or [[post-config|$NOVA_CONF]]";

/**
 * A line opens a block when it starts with "[[" followed by something other
 * than a space: "[[ -n $X ]] && ..." at column 0 is a bash test inside
 * localrc, not a header.
 */
function isHeaderCandidate(text: string): boolean {
  return text.startsWith("[[") && !/^\[\[\s/.test(text);
}

function parseHeader(text: string, file: string, line: number): { group: string; file: string } {
  const end = text.indexOf("]]", 2);
  if (end < 0) throw new ConfigError(`unterminated block header ${JSON.stringify(text)}: missing "]]"`, file, line, HEADER_HINT);
  const after = text.slice(end + 2);
  if (after !== "" && !/^\s/.test(after))
    throw new ConfigError(`unexpected text ${JSON.stringify(after)} right after "]]" in block header`, file, line, HEADER_HINT);
  const inner = text.slice(2, end);
  const bar = inner.indexOf("|");
  if (bar < 0) throw new ConfigError(`block header ${JSON.stringify(text.slice(0, end + 2))} has no "|" between GROUP and FILE`, file, line, HEADER_HINT);
  if (inner.indexOf("|", bar + 1) >= 0)
    throw new ConfigError(`block header ${JSON.stringify(text.slice(0, end + 2))} has more than one "|"`, file, line, HEADER_HINT);
  if (/[\s[\]]/.test(inner))
    throw new ConfigError(`block header ${JSON.stringify(text.slice(0, end + 2))} contains spaces or brackets`, file, line, HEADER_HINT);
  const group = inner.slice(0, bar);
  const target = inner.slice(bar + 1);
  if (group === "") throw new ConfigError(`block header ${JSON.stringify(text.slice(0, end + 2))} has an empty GROUP`, file, line, HEADER_HINT);
  if (target === "") throw new ConfigError(`block header ${JSON.stringify(text.slice(0, end + 2))} has an empty FILE`, file, line, HEADER_HINT);
  return { group, file: target };
}

/** Splits text into lines without their terminators ("\n" or "\r\n"); no phantom last line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (text.endsWith("\n")) lines.pop();
  return lines;
}

/**
 * Blocks of a meta-config file in file order. Text before the first header
 * belongs to no block and is ignored, as DevStack ignores it.
 */
export function parseMetaConfig(text: string, file: string): MetaBlock[] {
  const blocks: MetaBlock[] = [];
  let current: MetaBlock | undefined;
  splitLines(text).forEach((raw, i) => {
    const line = i + 1;
    if (isHeaderCandidate(raw)) {
      const { group, file: target } = parseHeader(raw, file, line);
      current = { group, file: target, header: raw, line, body: [] };
      blocks.push(current);
      return;
    }
    current?.body.push({ line, text: raw });
  });
  return blocks;
}

/** Lines before the first header that are neither blank nor comments (DevStack drops them silently). */
export function strayPreamble(text: string, blocks: MetaBlock[]): BodyLine[] {
  const stop = blocks[0]?.line ?? Number.POSITIVE_INFINITY;
  const stray: BodyLine[] = [];
  splitLines(text).forEach((raw, i) => {
    const trimmed = raw.trim();
    if (i + 1 < stop && trimmed !== "" && !trimmed.startsWith("#")) stray.push({ line: i + 1, text: raw });
  });
  return stray;
}

/** One option of an INI fragment; a key repeated in its section is a multi-line option. */
export interface IniEntry {
  section: string;
  key: string;
  values: string[];
  /** line of each value, same order as values */
  lines: number[];
}

const INI_HINT = "post-config/extra/post-extra/test-config blocks hold INI text: [section] lines, then KEY = VALUE lines";

/**
 * An INI fragment (a post-config style block body) as ordered iniset calls:
 * comments (# ;) and blank lines skipped, spaces around values trimmed, a
 * repeated key in the same section collected into one multi-line option.
 * Lines indented by whitespace are skipped, as DevStack skips them; a notice
 * is pushed to `notices` for each.
 */
export function parseIniFragment(lines: BodyLine[], file: string, notices?: string[]): IniEntry[] {
  const entries: IniEntry[] = [];
  const byKey = new Map<string, IniEntry>();
  let section: string | undefined;
  for (const { line, text: raw } of lines) {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const trimmed = text.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    if (/^\s/.test(text)) {
      notices?.push(`${file}:${line}: indented line ${JSON.stringify(trimmed)} is ignored (DevStack ignores it too); remove the indentation to set it`);
      continue;
    }
    if (text.startsWith("[")) {
      const close = text.lastIndexOf("]");
      const rest = close < 0 ? "" : text.slice(close + 1).trim();
      if (close < 0 || (rest !== "" && !rest.startsWith("#") && !rest.startsWith(";")))
        throw new ConfigError(`malformed section line ${JSON.stringify(text)}`, file, line, INI_HINT);
      const name = text.slice(1, close).trim();
      if (name === "") throw new ConfigError("empty section name", file, line, INI_HINT);
      section = name;
      continue;
    }
    if (section === undefined)
      throw new ConfigError(`option line ${JSON.stringify(trimmed)} comes before any [section]`, file, line, `${INI_HINT}; add e.g. [DEFAULT] above it`);
    const eq = text.indexOf("=");
    if (eq < 0) throw new ConfigError(`expected KEY = VALUE, found ${JSON.stringify(trimmed)}`, file, line, INI_HINT);
    const key = text.slice(0, eq).trim();
    if (key === "") throw new ConfigError(`option line ${JSON.stringify(trimmed)} has no key before "="`, file, line, INI_HINT);
    const value = text.slice(eq + 1).trim();
    const id = `${section}\u0000${key}`;
    const known = byKey.get(id);
    if (known) {
      known.values.push(value);
      known.lines.push(line);
      continue;
    }
    const entry: IniEntry = { section, key, values: [value], lines: [line] };
    byKey.set(id, entry);
    entries.push(entry);
  }
  return entries;
}
