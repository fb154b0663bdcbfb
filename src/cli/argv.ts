// Strict arguments for every command, on top of citty (whose parser accepts
// anything): main.ts checks a command's argv against its citty `args` before
// citty parses it. An unknown flag, a flag this command does not take, a
// string flag without its value (missing, or the next word is another flag),
// a value given to a boolean flag, a missing or an extra positional: each is
// a UsageError (exit 2) naming the flag, with the closest valid one.
//
// Accepted forms: --name, --name=value, --name value, --no-name (booleans),
// -x (short alias), -xyz (clustered boolean aliases), -j4 / -j 4, and `--`
// (everything after it is a positional). A positional whose valueHint ends in
// "..." takes any number of words.
import type { ArgDef, ArgsDef } from "citty";
import { UsageError } from "../errors.ts";
import { closestWords } from "../util/suggest.ts";

interface Flag {
  name: string;
  def: ArgDef;
  takesValue: boolean;
}

function flagTable(args: ArgsDef): { long: Map<string, Flag>; short: Map<string, Flag> } {
  const long = new Map<string, Flag>();
  const short = new Map<string, Flag>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const flag: Flag = { name, def, takesValue: def.type === "string" || def.type === "enum" };
    long.set(name, flag);
    const aliases = "alias" in def && def.alias ? (Array.isArray(def.alias) ? def.alias : [def.alias]) : [];
    for (const a of aliases) (a.length === 1 ? short : long).set(a, flag);
  }
  return { long, short };
}

function hint(flag: Flag): string {
  const v = flag.def.valueHint ?? (flag.def.type === "enum" ? (flag.def.options ?? []).join("|") : "VALUE");
  return `--${flag.name} ${v}`;
}

/** Names of the flags a command takes, as typed (`--dest`, `-c`). */
export function flagNames(args: ArgsDef): string[] {
  const { long, short } = flagTable(args);
  return [...[...long.keys()].map((k) => `--${k}`), ...[...short.keys()].map((k) => `-${k}`)];
}

/**
 * Checks `argv` (the words after the command's name) against `args`.
 * `command` is the command as typed ("bundle create"); `elsewhere` lists
 * flags other commands take, so that "stack takes it, status does not" reads
 * differently from a typo.
 */
export function checkArgv(command: string, argv: readonly string[], args: ArgsDef, elsewhere: ReadonlySet<string> = new Set()): void {
  const { long, short } = flagTable(args);
  const positionals = Object.entries(args).filter(([, d]) => d.type === "positional");
  const unknown = (typed: string): UsageError => {
    const names = flagNames(args);
    const near = closestWords(
      typed.split("=")[0]!,
      names.filter((n) => n.startsWith("--") === typed.startsWith("--")),
      1,
    )[0];
    const bare = typed.split("=")[0]!;
    const msg = elsewhere.has(bare) ? `plugstack ${command} does not take ${bare} (it does nothing there)` : `unknown flag ${bare} for plugstack ${command}`;
    return new UsageError(near ? `${msg}; did you mean ${near}?` : msg, `plugstack ${command} --help lists its flags`);
  };
  const needsValue = (flag: Flag, next: string | undefined): void => {
    if (next === undefined) throw new UsageError(`--${flag.name} needs a value: ${hint(flag)}`);
    if (next.startsWith("-") && next !== "-")
      throw new UsageError(
        `--${flag.name} needs a value, but the next word is the flag ${next}: ${hint(flag)}`,
        `to pass a value that starts with "-", write --${flag.name}=${next}`,
      );
  };
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const flag = long.get(name);
      if (!flag && name.startsWith("no-")) {
        const positive = long.get(name.slice(3));
        if (positive && positive.def.type === "boolean" && eq < 0) continue;
      }
      if (!flag) throw unknown(arg);
      if (!flag.takesValue) {
        if (eq >= 0) throw new UsageError(`--${flag.name} takes no value (given "${arg.slice(eq + 1)}")`);
        continue;
      }
      if (eq >= 0) {
        if (arg.slice(eq + 1) === "") throw new UsageError(`--${flag.name} needs a value: ${hint(flag)}`);
        continue;
      }
      needsValue(flag, argv[i + 1]);
      i++;
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") {
      for (let k = 1; k < arg.length; k++) {
        const flag = short.get(arg[k]!);
        if (!flag) throw unknown(k === 1 ? arg : `-${arg[k]}`);
        if (!flag.takesValue) continue;
        if (k < arg.length - 1) break; // -j4: the rest of the word is the value
        needsValue(flag, argv[i + 1]);
        i++;
      }
      continue;
    }
    words.push(arg);
  }
  let p = 0;
  for (const [name, def] of positionals) {
    const variadic = def.valueHint?.endsWith("...");
    if (p >= words.length) {
      if (def.required !== false && def.default === undefined) {
        throw new UsageError(`plugstack ${command} needs ${def.valueHint ?? name.toUpperCase()}`, def.description);
      }
      break;
    }
    p = variadic ? words.length : p + 1;
  }
  if (p < words.length) {
    const extra = words[p]!;
    throw new UsageError(`unexpected argument "${extra}" for plugstack ${command}`, positionals.length ? undefined : `plugstack ${command} takes no arguments`);
  }
}

/** The one-line usage of a command: `plugstack lib export [OPTIONS] <DIR>`. */
export function usageLine(command: string, args: ArgsDef, subCommands?: string[]): string {
  const parts = [`plugstack ${command}`.trim()];
  if (subCommands?.length) parts.push(`<${subCommands.join("|")}>`);
  if (Object.values(args).some((d) => d.type !== "positional")) parts.push("[OPTIONS]");
  for (const [name, d] of Object.entries(args)) {
    if (d.type !== "positional") continue;
    const label = d.valueHint ?? name.toUpperCase();
    parts.push(d.required === false || d.default !== undefined ? `[${label}]` : `<${label}>`);
  }
  return `usage: ${parts.join(" ")}  (plugstack help ${command || "COMMAND"} for more)`.replace("help  ", "help ");
}
