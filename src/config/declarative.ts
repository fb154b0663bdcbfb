// Whether a localrc text is declarative: its evaluation depends only on its
// own text and the environment, so plugstack may keep the result (see
// eval-cache.ts). Accepted, and nothing else:
//   - blank lines and comments; line continuations (backslash-newline);
//   - NAME=WORD and export NAME=WORD [NAME=WORD...] (also several NAME=WORD on a line);
//   - enable_plugin, enable_service, disable_service and disable_all_services with WORD arguments;
// where a WORD is literal characters, quotes and $NAME / ${NAME} / ${NAME:-literal}
// expansions. Every name expanded must be assigned earlier in the text or set in
// the environment (a value the library computes, e.g. HOST_IP, is never taken).
// An unquoted expansion in a command's argument is split and globbed by bash,
// so there its value (known from the text and the environment) must hold no
// blank and no pattern character. Pure: reads nothing but its arguments.

/** Functions a declarative localrc may call: the library's, with no side effect outside the shell. */
const CALLS = new Set(["enable_plugin", "enable_service", "disable_service", "disable_all_services"]);
/** Variables these calls change: unknown after one of them (never expanded unquoted in an argument later). */
const CHANGED_BY_CALLS = ["ENABLED_SERVICES", "DEVSTACK_PLUGINS", "DISABLED_SERVICES"];

/** Names bash gives a value of its own (or that change how it reads words): never assigned or expanded. */
const SHELL_OWNED =
  /^(_|IFS|PATH|BASH_ENV|ENV|CDPATH|GLOBIGNORE|RANDOM|SRANDOM|SECONDS|EPOCHREALTIME|EPOCHSECONDS|LINENO|PPID|UID|EUID|PWD|OLDPWD|SHLVL|HOSTNAME|HOSTTYPE|OSTYPE|MACHTYPE|GROUPS|FUNCNAME|HISTCMD|COLUMNS|LINES|OPTIND|OPTARG|REPLY|PIPESTATUS|BASH.*|COMP_.*|DIRSTACK|SHELLOPTS|POSIXLY_CORRECT)$/;
/** Characters a WORD may hold unquoted, and a value expanded unquoted in an argument. */
const PLAIN = /^[A-Za-z0-9_./:,@%+=^-]$/;

type Part = { text: string; quoted: boolean } | { ref: string; fallback?: string; quoted: boolean };
type Word = Part[];

export type Classified = { declarative: true; refs: string[] } | { declarative: false; reason: string };

class NotDeclarative extends Error {}

/** Splits the text into commands of words, or throws NotDeclarative at the first thing it does not accept. */
function lex(text: string): Word[][] {
  const commands: Word[][] = [];
  let words: Word[] = [];
  let word: Word | null = null;
  let i = 0;
  const no = (what: string): never => {
    throw new NotDeclarative(what);
  };
  const endWord = () => {
    if (word) words.push(word);
    word = null;
  };
  const push = (p: Part) => {
    word ??= [];
    word.push(p);
  };
  const expansion = (quoted: boolean) => {
    // at text[i] === "$"
    const rest = text.slice(i + 1);
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (bare) {
      push({ ref: bare[0], quoted });
      i += 1 + bare[0].length;
      return;
    }
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^$`"'\\{}]*))?\}/.exec(rest);
    if (!braced) no(`an expansion other than $NAME, \${NAME} or \${NAME:-literal}`);
    push({ ref: braced![1]!, fallback: braced![2], quoted });
    i += 1 + braced![0].length;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      endWord();
      if (words.length) commands.push(words);
      words = [];
      i++;
    } else if (c === " " || c === "\t") {
      endWord();
      i++;
    } else if (c === "#" && !word) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "\\") {
      const n = text[i + 1];
      if (n === "\n") i += 2;
      else if (n !== undefined && PLAIN.test(n)) {
        push({ text: n, quoted: true });
        i += 2;
      } else no("a backslash escape");
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) no("an unclosed quote");
      push({ text: text.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else if (c === '"') {
      i++;
      push({ text: "", quoted: true });
      for (;;) {
        const d = text[i];
        if (d === undefined) throw new NotDeclarative("an unclosed quote");
        if (d === '"') {
          i++;
          break;
        }
        if (d === "`") no("a command substitution");
        if (d === "$") expansion(true);
        else if (d === "\\") {
          const n = text[i + 1];
          if (n === "\n") i += 2;
          else if (n === "$" || n === "`" || n === '"' || n === "\\") {
            push({ text: n, quoted: true });
            i += 2;
          } else {
            push({ text: "\\", quoted: true });
            i++;
          }
        } else {
          push({ text: d, quoted: true });
          i++;
        }
      }
    } else if (c === "$") expansion(false);
    else if (PLAIN.test(c)) {
      push({ text: c, quoted: false });
      i++;
    } else no(`the character ${JSON.stringify(c)}`);
  }
  endWord();
  if (words.length) commands.push(words);
  return commands;
}

/** The leading unquoted literal text of a word. */
function literalPrefix(w: Word): string {
  let s = "";
  for (const p of w) {
    if (!("text" in p) || p.quoted) break;
    s += p.text;
  }
  return s;
}

function isLiteral(w: Word, text: string): boolean {
  return w.every((p) => "text" in p && !p.quoted) && w.map((p) => ("text" in p ? p.text : "")).join("") === text;
}

/**
 * Classifies a localrc text. When declarative, `refs` are the names it
 * expands that it does not assign first: all set in `env` (else it is not).
 */
export function classifyLocalrc(text: string, env: Record<string, string | undefined>): Classified {
  try {
    const commands = lex(text);
    /** values known so far: the environment's, then the text's assignments; undefined = not known */
    const known = new Map<string, string | undefined>();
    const refs = new Set<string>();
    const value = (p: Part, inArgument: boolean): string => {
      if ("text" in p) return p.text;
      if (SHELL_OWNED.test(p.ref)) throw new NotDeclarative(`a reference to bash's own ${p.ref}`);
      let v: string | undefined;
      if (known.has(p.ref)) v = known.get(p.ref);
      else if (env[p.ref] !== undefined) {
        refs.add(p.ref);
        v = env[p.ref];
      } else throw new NotDeclarative(`$${p.ref}, neither assigned before nor set in the environment`);
      if (v === undefined) {
        if (inArgument && !p.quoted) throw new NotDeclarative(`$${p.ref}, changed by a call, expanded unquoted`);
        return "";
      }
      if (p.fallback !== undefined && v === "") v = p.fallback;
      if (inArgument && !p.quoted && ![...v].every((ch) => PLAIN.test(ch)))
        throw new NotDeclarative(`$${p.ref} expanded unquoted in an argument, with blanks or pattern characters in its value`);
      return v;
    };
    const assign = (w: Word): boolean => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(literalPrefix(w));
      if (!m) return false;
      const name = m[1]!;
      if (SHELL_OWNED.test(name)) throw new NotDeclarative(`an assignment to bash's own ${name}`);
      let skip = name.length + 1;
      let v = "";
      // a copy of a value a call changed is unknown too
      let unknown = false;
      for (const p of w) {
        if ("text" in p && !p.quoted && skip > 0) {
          const take = Math.min(skip, p.text.length);
          skip -= take;
          v += p.text.slice(take);
          continue;
        }
        if ("ref" in p && known.has(p.ref) && known.get(p.ref) === undefined) unknown = true;
        v += value(p, false);
      }
      known.set(name, unknown ? undefined : v);
      return true;
    };
    for (const words of commands) {
      const first = words[0]!;
      if (isLiteral(first, "export")) {
        if (words.length < 2) throw new NotDeclarative("export without an assignment");
        for (const w of words.slice(1)) if (!assign(w)) throw new NotDeclarative("export of something other than NAME=WORD");
        continue;
      }
      const call = [...CALLS].find((c) => isLiteral(first, c));
      if (call) {
        for (const w of words.slice(1)) for (const p of w) value(p, true);
        for (const n of CHANGED_BY_CALLS) if (known.has(n) || env[n] !== undefined) known.set(n, undefined);
        continue;
      }
      for (const w of words) if (!assign(w)) throw new NotDeclarative(`the command ${JSON.stringify(literalPrefix(first) || "?")}`);
    }
    return { declarative: true, refs: [...refs].sort() };
  } catch (e) {
    if (e instanceof NotDeclarative) return { declarative: false, reason: e.message };
    throw e;
  }
}
