// The only entry point: argv -> subcommand, run by citty's runMain.
// Subcommands load lazily so that `plugstack --version` starts fast. Every
// command's argv is checked strictly (argv.ts) before citty parses it, in the
// root command's setup, and a usage error there is mapped to exit 2 in one
// place (exitForUsage); `help CMD`, `version`, `-V`, `--color` and
// `completion` are handled here, from the one command table below.
import { type ArgsDef, type CommandDef, defineCommand, parseArgs, runMain } from "citty";
import { PlugstackError, UsageError } from "../errors.ts";
import { closestWords } from "../util/suggest.ts";
import { checkArgv, flagNames, usageLine } from "./argv.ts";
import { parseColorMode, setColorMode, stripAnsi, useColor } from "./color.ts";
import { type CompletionFlag, type CompletionNode, renderCompletion, SHELLS, type Shell } from "./completion.ts";
import { installCrashReport, reportCrash } from "./crash.ts";
import { renderHelp } from "./help.ts";
import { reportUsageError, runAction } from "./output.ts";
import { redactProcessOutput } from "./redact-output.ts";
import { installSignalHandlers } from "./signals.ts";

redactProcessOutput();
// before anything is started, so that a signal always ends in a clean stop
installSignalHandlers();
installCrashReport();

import { commit, renderVersion, target, version } from "../build-info.ts";

export { version };

type Lazy = () => Promise<CommandDef>;

/** The command table: help, completion and the strict checks all read it. */
export const COMMANDS: Record<string, Lazy> = {
  stack: () => import("./stack.ts").then((m) => m.stackCommand as CommandDef),
  unstack: () => import("./stack.ts").then((m) => m.unstackCommand as CommandDef),
  clean: () => import("./stack.ts").then((m) => m.cleanCommand as CommandDef),
  plan: () => import("./plan.ts").then((m) => m.default as CommandDef),
  status: () => import("./status.ts").then((m) => m.default as CommandDef),
  lock: () => import("./lock.ts").then((m) => m.default as CommandDef),
  fetch: () => import("./fetch.ts").then((m) => m.default as CommandDef),
  bundle: () => import("./bundle.ts").then((m) => m.default as CommandDef),
  verify: () => import("./verify.ts").then((m) => m.default as CommandDef),
  lib: () => import("./lib.ts").then((m) => m.default as CommandDef),
  conf: () => import("./conf.ts").then((m) => m.default as CommandDef),
  bindep: () => import("./bindep.ts").then((m) => m.default as CommandDef),
  new: () => import("./new.ts").then((m) => m.default as CommandDef),
  check: () => import("./check.ts").then((m) => m.default as CommandDef),
  search: () => import("./search.ts").then((m) => m.default as CommandDef),
  add: () => import("./add.ts").then((m) => m.default as CommandDef),
  completion: async () => completionCommand as CommandDef,
  version: async () => versionCommand as CommandDef,
  help: async () => helpCommand as CommandDef,
  internal: () => import("./internal.ts").then((m) => m.default as CommandDef),
};

/** Commands that parse their own argv (bindep follows bindep's argparse rules; internal is for the stack shell). */
const OWN_ARGV = new Set(["bindep", "internal"]);

const main = defineCommand({
  meta: { name: "plugstack", version: renderVersion(), description: "Run DevStack plugins, unchanged, from one binary" },
  subCommands: COMMANDS,
  setup: ({ rawArgs }) => checkInvocation(rawArgs),
});

const versionCommand = defineCommand({
  meta: { name: "version", description: "print plugstack's version (also -V, --version)" },
  args: { json: { type: "boolean", description: "machine-readable output on stdout" } },
  run: ({ args }) =>
    runAction("version", args, async (io) => {
      io.result({ version, commit, target });
      if (!io.json) process.stdout.write(`${renderVersion()}\n`);
    }),
});

const helpCommand = defineCommand({
  meta: { name: "help", description: "show the help of a command: plugstack help COMMAND [SUBCOMMAND]" },
  args: { command: { type: "positional", required: false, description: "the command", valueHint: "COMMAND..." } },
  run: async ({ rawArgs }) => {
    process.exitCode = await showHelp(rawArgs.filter((a) => a !== "--"));
  },
});

const completionCommand = defineCommand({
  meta: { name: "completion", description: "print a shell completion script: plugstack completion bash|zsh|fish" },
  args: { shell: { type: "positional", required: true, description: "bash, zsh or fish", valueHint: "SHELL" } },
  run: async ({ args, rawArgs }) => {
    const shell = args.shell as Shell;
    if (!SHELLS.includes(shell)) {
      const e = new UsageError(`completion: unknown shell "${args.shell}"; one of ${SHELLS.join(", ")}`, "e.g. source <(plugstack completion bash)");
      await exitForUsage(e, rawArgs, { path: "completion", cmd: completionCommand as CommandDef, rest: rawArgs });
    }
    process.stdout.write(renderCompletion(shell, await completionTree(main as CommandDef, "plugstack")));
  },
});

/** The command table as a tree of names, flags and descriptions (hidden commands left out). */
async function completionTree(cmd: CommandDef, name: string): Promise<CompletionNode> {
  const meta = typeof cmd.meta === "function" ? await cmd.meta() : await cmd.meta;
  const flags: CompletionFlag[] = [];
  for (const [flag, def] of Object.entries(await argsOf(cmd))) {
    if (def.type === "positional") continue;
    const aliases = "alias" in def && def.alias ? (Array.isArray(def.alias) ? def.alias : [def.alias]) : [];
    const hint = def.valueHint ?? "";
    const takesValue = def.type === "string" || def.type === "enum";
    const negated = def.type === "boolean" && def.default === true;
    flags.push({
      names: negated ? [`--no-${flag}`] : [`--${flag}`, ...aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`))],
      takesValue,
      choices: takesValue && hint.includes("|") ? hint.split("|") : [],
      path: takesValue && /FILE|DIR/.test(hint),
      description: def.description ?? "",
    });
  }
  if (name === "plugstack") {
    flags.push({ names: ["--color"], takesValue: true, choices: ["auto", "always", "never"], path: false, description: "colours and glyphs" });
    flags.push({ names: ["--version", "-V"], takesValue: false, choices: [], path: false, description: "print the version" });
  }
  flags.push({ names: ["--help", "-h"], takesValue: false, choices: [], path: false, description: "show help" });
  const commands: CompletionNode[] = [];
  for (const [sub, def] of Object.entries(await subCommandsOf(cmd))) if (!(await isHidden(def))) commands.push(await completionTree(def, sub));
  return { name, description: meta?.description ?? "", flags, commands };
}

export interface ResolvedCommand {
  /** as typed, e.g. "bundle create" ("" for plugstack itself) */
  path: string;
  cmd: CommandDef;
  parent?: CommandDef;
  /** argv after the command's words */
  rest: string[];
}

/** citty's subcommand record of `cmd`, each entry not loaded yet. */
async function rawSubCommands(cmd: CommandDef): Promise<Record<string, unknown>> {
  return ((typeof cmd.subCommands === "function" ? await cmd.subCommands() : await cmd.subCommands) ?? {}) as Record<string, unknown>;
}

/** One entry of that record, loaded. */
async function loadCommand(sub: unknown): Promise<CommandDef> {
  return (typeof sub === "function" ? await sub() : await sub) as CommandDef;
}

async function subCommandsOf(cmd: CommandDef): Promise<Record<string, CommandDef>> {
  const out: Record<string, CommandDef> = {};
  for (const [name, sub] of Object.entries(await rawSubCommands(cmd))) out[name] = await loadCommand(sub);
  return out;
}

/** The subcommand `name` of `cmd` (loading it), or undefined. */
async function subCommandOf(cmd: CommandDef, name: string): Promise<CommandDef | undefined> {
  const subs = await rawSubCommands(cmd);
  return Object.hasOwn(subs, name) ? loadCommand(subs[name]) : undefined;
}

async function argsOf(cmd: CommandDef): Promise<ArgsDef> {
  return ((typeof cmd.args === "function" ? await cmd.args() : await cmd.args) ?? {}) as ArgsDef;
}

async function isHidden(cmd: CommandDef): Promise<boolean> {
  const meta = typeof cmd.meta === "function" ? await cmd.meta() : await cmd.meta;
  return !!meta?.hidden;
}

/** Visible subcommand names of `cmd`. */
async function visibleNames(cmd: CommandDef): Promise<string[]> {
  const out: string[] = [];
  for (const [name, sub] of Object.entries(await subCommandsOf(cmd))) if (!(await isHidden(sub))) out.push(name);
  return out;
}

/** Walks the command words of argv; an unknown or missing command is a UsageError with a suggestion. */
async function resolveCommand(argv: string[], opts: { partial?: boolean } = {}): Promise<ResolvedCommand> {
  let cmd = main as CommandDef;
  let parent: CommandDef | undefined;
  const path: string[] = [];
  let i = 0;
  while (cmd.subCommands) {
    const word = argv[i];
    const here = ["plugstack", ...path].join(" ");
    if (word === undefined || word.startsWith("-")) {
      if (opts.partial || word === "-h" || word === "--help") break;
      const names = await visibleNames(cmd);
      throw new UsageError(`${here} needs a command: ${names.join(", ")}`, `plugstack help ${path.join(" ")}`.trim());
    }
    // only the command named is loaded (the others' modules are not needed to run it)
    const next = await subCommandOf(cmd, word);
    if (!next) {
      const names = await visibleNames(cmd);
      const near = closestWords(word, names, 1)[0];
      throw new UsageError(`unknown command "${word}" for ${here}${near ? `; did you mean "${near}"?` : ""}`, `commands: ${names.join(", ")}`);
    }
    parent = cmd;
    cmd = next;
    path.push(word);
    i++;
  }
  return { path: path.join(" "), cmd, parent, rest: argv.slice(i) };
}

async function oneLineUsage(r: ResolvedCommand): Promise<string> {
  const subs = r.cmd.subCommands ? await visibleNames(r.cmd) : undefined;
  return usageLine(r.path, await argsOf(r.cmd), subs);
}

const GLOBAL_HELP = `
GLOBAL OPTIONS

  --color auto|always|never  colours and glyphs (default auto: a terminal, unless NO_COLOR; FORCE_COLOR forces)
  -V, --version              print the version
  -h, --help                 show help (also: plugstack help COMMAND)

ENVIRONMENT

  NO_COLOR, FORCE_COLOR, PLUGSTACK_OFFLINE=1 (as --offline), PLUGSTACK_CACHE (cache root)`;

/** Full help of the command named by `words` on stdout; 0, or 2 for an unknown command. */
async function showHelp(words: string[]): Promise<number> {
  let r: ResolvedCommand;
  try {
    r = await resolveCommand(
      words.filter((w) => w !== "-h" && w !== "--help"),
      { partial: true },
    );
  } catch (e) {
    if (!(e instanceof PlugstackError)) throw e;
    return reportUsageError("help", false, e, "usage: plugstack help COMMAND [SUBCOMMAND]");
  }
  const meta = typeof r.cmd.meta === "function" ? await r.cmd.meta() : await r.cmd.meta;
  const commands: { name: string; description: string }[] = [];
  for (const [name, sub] of Object.entries(await subCommandsOf(r.cmd))) {
    if (await isHidden(sub)) continue;
    const m = typeof sub.meta === "function" ? await sub.meta() : await sub.meta;
    commands.push({ name, description: m?.description ?? "" });
  }
  const text = renderHelp({
    path: r.path,
    description: meta?.description ?? "",
    version,
    args: await argsOf(r.cmd),
    commands,
    footer: r.path ? undefined : GLOBAL_HELP,
    color: useColor(process.stdout),
  });
  process.stdout.write(text);
  return 0;
}

/** Every flag some command takes (to tell "wrong command" from "typo"). */
async function allFlags(): Promise<Set<string>> {
  const out = new Set<string>();
  const walk = async (cmd: CommandDef): Promise<void> => {
    for (const f of flagNames(await argsOf(cmd))) out.add(f);
    for (const sub of Object.values(await subCommandsOf(cmd))) await walk(sub);
  };
  await walk(main as CommandDef);
  return out;
}

/** Takes --color out of argv (it is global) and applies it. */
function takeColorFlag(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (a === "--color") {
      const v = argv[i + 1];
      setColorMode(parseColorMode(v === undefined || v.startsWith("-") ? undefined : v));
      i++;
    } else if (a.startsWith("--color=")) setColorMode(parseColorMode(a.slice(8)));
    else out.push(a);
  }
  return out;
}

/**
 * The one mapping from a usage error to its exit code (2): the message, its
 * hint and one usage line on stderr, the envelope on stdout with --json; the
 * process ends here. Anything that is not plugstack's error is a bug.
 */
async function exitForUsage(e: unknown, argv: readonly string[], resolved?: ResolvedCommand): Promise<never> {
  if (!(e instanceof PlugstackError)) reportCrash(e);
  const usage = resolved ? await oneLineUsage(resolved) : usageLine("", {}, await visibleNames(main as CommandDef));
  const json = (resolved?.rest ?? argv).includes("--json");
  process.exit(reportUsageError(resolved?.path ?? "", json, e, usage));
}

/**
 * What is checked before any command runs (the root command's setup): the
 * command words, the command's flags (argv.ts), then citty's own parse of
 * them, whose every error is a usage error. Nothing has run when one is found.
 */
async function checkInvocation(argv: string[]): Promise<void> {
  if (argv.length === 1 && argv[0] === "-V") {
    // --version is citty's (meta.version); -V is plugstack's spelling of it
    process.stdout.write(`${renderVersion()}\n`);
    process.exit(0);
  }
  let resolved: ResolvedCommand | undefined;
  try {
    resolved = await resolveCommand(argv);
    const args = await argsOf(resolved.cmd);
    if (!OWN_ARGV.has(resolved.path.split(" ")[0]!)) {
      try {
        checkArgv(resolved.path, resolved.rest, args);
      } catch (e) {
        // every command's flags (all of them loaded) only to word the error: a flag of another command, or a typo
        checkArgv(resolved.path, resolved.rest, args, await allFlags());
        throw e;
      }
    }
    try {
      parseArgs(resolved.rest, args);
    } catch (e) {
      throw new UsageError(stripAnsi(e instanceof Error ? e.message : String(e)));
    }
  } catch (e) {
    await exitForUsage(e, argv, resolved);
  }
}

let argv = process.argv.slice(2);
try {
  argv = takeColorFlag(argv);
} catch (e) {
  await exitForUsage(e, argv);
}
// citty reads a lone -v as --version; plugstack's -v is --verbose, and a
// verbose nothing is the usage error of no command at all
if (argv.length === 1 && argv[0] === "-v") await checkInvocation(argv);
// help: -h/--help anywhere (citty's rule), shown as plugstack's own help of the command named
await runMain(main as CommandDef, {
  rawArgs: argv,
  showUsage: async () => {
    const stop = argv.indexOf("--");
    const code = await showHelp(stop < 0 ? argv : argv.slice(0, stop));
    if (code !== 0) process.exit(code);
  },
});
