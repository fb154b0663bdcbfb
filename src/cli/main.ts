// The only entry point: argv -> subcommand. Subcommands load lazily so that
// `plugstack --version` starts fast.
import { type CommandDef, defineCommand, runCommand, showUsage } from "citty";
import { redactProcessOutput } from "./redact-output.ts";

redactProcessOutput();

import { renderVersion, version } from "../build-info.ts";

export { version };

const main = defineCommand({
  meta: { name: "plugstack", version, description: "Run DevStack plugins, unchanged, from one binary" },
  subCommands: {
    stack: () => import("./stack.ts").then((m) => m.stackCommand),
    unstack: () => import("./stack.ts").then((m) => m.unstackCommand),
    clean: () => import("./stack.ts").then((m) => m.cleanCommand),
    plan: () => import("./plan.ts").then((m) => m.default),
    status: () => import("./status.ts").then((m) => m.default),
    lock: () => import("./lock.ts").then((m) => m.default),
    fetch: () => import("./fetch.ts").then((m) => m.default),
    bundle: () => import("./bundle.ts").then((m) => m.default),
    verify: () => import("./verify.ts").then((m) => m.default),
    lib: () => import("./lib.ts").then((m) => m.default),
    bindep: () => import("./bindep.ts").then((m) => m.default),
    new: () => import("./new.ts").then((m) => m.default),
    check: () => import("./check.ts").then((m) => m.default),
    search: () => import("./search.ts").then((m) => m.default),
    add: () => import("./add.ts").then((m) => m.default),
    internal: () => import("./internal.ts").then((m) => m.default),
  },
});

type Resolvable<T> = T | Promise<T> | (() => T | Promise<T>);
const resolve = async <T>(v: Resolvable<T>): Promise<T> => (typeof v === "function" ? await (v as () => T | Promise<T>)() : await v);

/** The (sub)command the words of argv name, and its parent, for usage text. */
async function resolveCommand(rawArgs: string[]): Promise<[CommandDef, CommandDef | undefined]> {
  let cmd: CommandDef = main as CommandDef;
  let parent: CommandDef | undefined;
  for (const word of rawArgs) {
    if (word.startsWith("-")) continue;
    const subs = cmd.subCommands ? await resolve(cmd.subCommands) : undefined;
    const next = subs?.[word];
    if (!next) break;
    parent = cmd;
    cmd = (await resolve(next)) as CommandDef;
  }
  return [cmd, parent];
}

/** citty's own errors (unknown command, missing argument) are usage errors: exit 2. */
const isUsageError = (e: unknown): e is Error => e instanceof Error && e.name === "CLIError";

const rawArgs = process.argv.slice(2);
try {
  if (rawArgs.includes("--help") || rawArgs.includes("-h")) {
    await showUsage(...(await resolveCommand(rawArgs)));
  } else if (rawArgs.length === 1 && rawArgs[0] === "--version") {
    console.log(renderVersion());
  } else {
    await runCommand(main, { rawArgs });
  }
} catch (e) {
  if (!isUsageError(e)) throw e;
  await showUsage(...(await resolveCommand(rawArgs)));
  console.error(e.message);
  process.exit(2);
}
