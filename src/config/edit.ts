// Writing enable_plugin lines into local.conf's [[local|localrc]] block while
// keeping everything else byte for byte: the user's comments, blank lines,
// order and line endings. Pure: text in, text out.
import { ConfigError } from "../errors.ts";
import { parseMetaConfig, splitLines } from "./parse.ts";

export interface EnableLine {
  name: string;
  url: string;
  /** omitted: master (or the remote's default branch) */
  ref?: string;
}

/** Words that bash reads as themselves, with no quoting. */
const PLAIN_WORD = /^[A-Za-z0-9@%+=:,./~_-]+$/;

/** `enable_plugin NAME URL [REF]`; a value that would need shell quoting is refused. */
export function renderEnableLine(l: EnableLine, file: string): string {
  const words = [l.name, l.url, ...(l.ref ? [l.ref] : [])];
  const odd = words.find((w) => !PLAIN_WORD.test(w));
  if (odd !== undefined) {
    throw new ConfigError(
      `"${odd}" would need shell quoting in an enable_plugin line; plugstack does not write such lines`,
      file,
      undefined,
      "write the enable_plugin line into [[local|localrc]] by hand",
    );
  }
  return `enable_plugin ${words.join(" ")}`;
}

export interface Insertion {
  text: string;
  /** 1-based line numbers of the inserted lines in the new text */
  lines: number[];
}

/**
 * Inserts `lines` into the [[local|localrc]] block of `text`: after the last
 * enable_plugin line written at column 0 (one inside an if-block is indented
 * and skipped), else after the block's last non-blank line. Without such a
 * block, one is added before the first block (or as the whole file).
 */
export function insertEnableLines(text: string, file: string, lines: readonly string[]): Insertion {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const all = splitLines(text);
  const localrc = parseMetaConfig(text, file).filter((b) => b.group === "local" && b.file === "localrc");
  let at: number; // 0-based index to insert before
  let add = [...lines];
  let lead = 0; // lines inserted before the first enable_plugin line
  if (localrc.length === 0) {
    const first = parseMetaConfig(text, file)[0];
    at = first ? first.line - 1 : all.length;
    const gapBefore = at > 0 && all[at - 1]!.trim() !== "" ? [""] : [];
    add = [...gapBefore, "[[local|localrc]]", ...lines, ...(first ? [""] : [])];
    lead = gapBefore.length + 1;
  } else {
    const lastEnable = localrc
      .flatMap((b) => b.body)
      .filter((l) => /^enable_plugin\s/.test(l.text))
      .at(-1);
    const block = localrc.at(-1)!;
    const lastContent = block.body.filter((l) => l.text.trim() !== "").at(-1);
    at = lastEnable ? lastEnable.line : lastContent ? lastContent.line : block.line;
  }
  const out = [...all.slice(0, at), ...add, ...all.slice(at)];
  const endsWithEol = text === "" || text.endsWith("\n");
  return { text: out.join(eol) + (endsWithEol ? eol : ""), lines: lines.map((_, i) => at + lead + i + 1) };
}
