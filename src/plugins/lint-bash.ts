// A static reading of bash text for `plugstack check`: the functions a file
// defines and the command words it calls, with their lines. It is a lint's
// approximation, not a bash parser: quoted text, ${...}, [[ ]] and (( )) are
// blanked, heredoc bodies and case patterns skipped, and only words that can
// be function names are reported. Pure.

export interface WordAt {
  word: string;
  line: number;
}

const DEFINITION = /^\s*(?:function\s+([A-Za-z_][A-Za-z0-9_:.-]*)|([A-Za-z_][A-Za-z0-9_:.-]*)\s*\(\s*\))/;
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_:.-]*$/;
/** words after which the next word is a command again */
const PREFIX_KEYWORDS = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "time", "{", "command", "exec", "sudo", "nohup"]);
/** words that end or make a segment hold no command */
const NON_COMMANDS = new Set(["fi", "done", "esac", "}", "in", "for", "select", "case", "function"]);

/** Functions the text defines (`function NAME` or `NAME()`). */
export function definedFunctions(text: string): WordAt[] {
  const out: WordAt[] = [];
  text.split("\n").forEach((raw, i) => {
    const m = DEFINITION.exec(raw);
    const name = m?.[1] ?? m?.[2];
    if (name) out.push({ word: name, line: i + 1 });
  });
  return out;
}

const HOLE = " % ";

/**
 * Blanks what holds no command words (quoted strings, ${...}, $((...)),
 * [[ ... ]], (( ... )), comments) and takes command substitutions out as
 * commands of their own.
 */
function blank(line: string): { main: string; subs: string[] } {
  const subs: string[] = [];
  const takeSubs = (t: string) =>
    t.replace(/\$\(([^()]*)\)|`([^`]*)`/g, (_m, a: string | undefined, b: string | undefined) => {
      subs.push(a ?? b ?? "");
      return HOLE;
    });
  let s = line
    .replace(/'[^']*'/g, HOLE)
    .replace(/\$\{[^}]*\}/g, HOLE)
    .replace(/\$\(\([^)]*\)\)/g, HOLE)
    .replace(/\[\[.*?\]\]/g, HOLE)
    .replace(/\(\(.*?\)\)/g, HOLE);
  s = s.replace(/"((?:[^"\\]|\\.)*)"/g, (_m, body: string) => {
    takeSubs(body);
    return HOLE;
  });
  s = takeSubs(s);
  const hash = s.search(/(^|\s)#/);
  return { main: hash < 0 ? s : s.slice(0, hash), subs };
}

/** Command words (first words of simple commands) that can be function names, with their lines. */
export function commandWords(text: string): WordAt[] {
  const out: WordAt[] = [];
  const lines = text.split("\n");
  let heredoc: string | undefined;
  let caseDepth = 0;
  let continued = false;
  lines.forEach((raw, i) => {
    if (heredoc !== undefined) {
      if (raw.replace(/^\t+/, "") === heredoc) heredoc = undefined;
      return;
    }
    const startsCommand = !continued;
    continued = /\\$/.test(raw);
    if (DEFINITION.test(raw)) raw = raw.replace(DEFINITION, "");
    const b = blank(raw);
    let s = b.main;
    const here = /<<-?\s*\\?['"]?([A-Za-z_][A-Za-z0-9_]*)/.exec(raw);
    if (here?.[1]) heredoc = here[1];
    if (/\bcase\b.*\bin\s*$/.test(s)) caseDepth++;
    if (caseDepth > 0 && /(^|\s)esac\b/.test(s)) caseDepth--;
    // a case pattern line: "pattern)" or "pattern) command ;;"
    if (caseDepth > 0 && /^\s*\(?[^()]*\)/.test(s) && !/\bcase\b/.test(s)) s = s.replace(/^\s*\(?[^()]*\)/, " ");
    s = s.replace(/<<-?\s*\S+/g, " ").replace(/\d*[<>]&?\d*-?\s*\S*/g, " ");
    const segments = s.split(/;;|&&|\|\||[;|&(){}]/).map((seg, k) => ({ seg, first: k === 0 }));
    for (const sub of b.subs) for (const seg of sub.split(/&&|\|\||[;|&(){}]/)) segments.push({ seg, first: false });
    for (const { seg, first } of segments) {
      if (first && !startsCommand) continue;
      const words = seg.trim().split(/\s+/).filter(Boolean);
      while (words.length && (PREFIX_KEYWORDS.has(words[0]!) || /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/.test(words[0]!))) words.shift();
      const w = words[0];
      if (!w || NON_COMMANDS.has(w) || !FUNCTION_NAME.test(w)) continue;
      out.push({ word: w, line: i + 1 });
    }
  });
  return out;
}
