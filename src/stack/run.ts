// One stack shell run end to end: lay out $TOP_DIR, render the run script,
// run bash, turn its events into timings, a failure report and state.
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { LoadedConfig } from "../config/load.ts";
import { selfCommand } from "../context.ts";
import { HookError } from "../errors.ts";
import { packagesStateKey } from "../packages/installed-cache.ts";
import type { ResolvedPlugin } from "../plugins/fetch.ts";
import { libraryFunctionNames } from "../plugins/lint.ts";
import { redact } from "../util/redact.ts";
import { closestWords } from "../util/suggest.ts";
import { makeTempDir } from "../util/temp.ts";
import type { HostProbe } from "./host-probe.ts";
import { type Mode, planSteps } from "./plan.ts";
import { collectTimings, findFailure, type RunTimings } from "./report.ts";
import { type MergeBlock, renderRunScript } from "./script.ts";
import { runShell, type ShellEvent, type ShellResult } from "./shell.ts";
import { layoutTopDir, topDirFor } from "./top-dir.ts";

export interface ShellRunInput {
  mode: Mode;
  config: LoadedConfig;
  plugins: ResolvedPlugin[];
  dest: string;
  destOverride?: string;
  env: Record<string, string | undefined>;
  /** PLUGSTACK_* values the callbacks need */
  exports: Record<string, string>;
  onEvent?: (e: ShellEvent) => void;
  onOutput?: (line: string) => void;
  /** stackrc's questions to the host, asked while the run was prepared */
  hostProbe?: HostProbe;
}

export interface ShellRunOutput {
  timings: RunTimings;
  stepsDone: string[];
  events: ShellEvent[];
  logFile: string;
  status: number;
  /** the one report of a failed run (status != 0) */
  failure?: HookError;
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, "-").replace("T", "_").slice(0, 19);
}

function mergeBlocks(config: LoadedConfig): MergeBlock[] {
  return config.merges.map((m) => ({
    group: m.group,
    fileExpr: m.file,
    where: `${m.source}:${m.line}`,
    entries: m.entries.map((e) => ({ section: e.section, key: e.key, values: e.values })),
  }));
}

/** $DEST/logs/plugstack-MODE-TIME.log with a header naming what runs; plugstack-MODE.log links to it. */
export function openRunLog(input: Pick<ShellRunInput, "mode" | "config" | "plugins" | "dest">): string {
  const logDir = join(input.dest, "logs");
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `plugstack-${input.mode}-${timestamp()}.log`);
  writeFileSync(
    logFile,
    [
      `# plugstack ${input.mode} at ${new Date().toISOString()}`,
      `# config ${input.config.path}`,
      `# DEST ${input.dest}`,
      ...input.plugins.map((p) => `# ${p.base ? "base" : "plugin"} ${p.name} ${p.commit ?? "(directory)"} ${redact(p.url)} ${p.resolvedRef}`),
      "",
    ].join("\n"),
  );
  const latest = join(logDir, `plugstack-${input.mode}.log`);
  try {
    unlinkSync(latest);
  } catch {}
  symlinkSync(logFile, latest);
  return logFile;
}

/** The one report of a failed shell: who failed, where (file:line, mapped by `where`), the status and command. */
export function failureReport(
  result: ShellResult,
  logFile: string,
  where: (file: string, line: number | undefined) => string,
  extra?: { message?: string; hint?: string },
): HookError {
  const f = findFailure(result.events, result.status);
  const at = f.file ? where(f.file, f.line) : "";
  const what = f.plugin ? `plugin ${f.plugin}` : "the stack shell";
  const during = f.step ? ` during ${f.step}` : "";
  // status 127: a command not found, most often a misspelt library function
  extra ??= f.status === 127 ? notFoundHint(f.command) : undefined;
  return new HookError(
    `${what} failed${during}${at ? ` at ${at}` : ""} (exit status ${f.status})${f.message ? `: ${f.message}` : ""}${f.command ? `\n  command: ${f.command}` : ""}${extra?.message ? `\n  ${extra.message}` : ""}`,
    {
      plugin: f.plugin,
      mode: f.step?.split(" ")[0],
      phase: f.step?.split(" ")[1],
      file: f.file,
      line: f.line,
      status: f.status,
      logPath: logFile,
      tail: result.tail,
    },
    extra?.hint ? `${extra.hint}; full log: ${logFile}` : `full log: ${logFile}`,
  );
}

/** Runs one shell; a failed run comes back with its HookError report. */
export async function runStackShell(input: ShellRunInput): Promise<ShellRunOutput> {
  const topDir = topDirFor(input.dest);
  const logFile = openRunLog(input);

  // nothing under DEST may hold a URL credential: $RC_DIR/.localrc.auto
  // shows them as ***, and a localrc that has some is sourced from a
  // private temp file that lives as long as this shell
  const localrc = input.config.localrc.text;
  const shown = redact(localrc);
  layoutTopDir({ topDir, configDir: input.config.dir, localrc: shown });
  const secret = shown === localrc ? null : makeTempDir("localrc", input.env);
  const exports = { ...input.exports };
  if (input.mode === "stack") {
    // the packages step is skipped when nothing changed since it last left everything installed
    exports.PLUGSTACK_PACKAGES_STAMP = join(topDir, "..", "packages-installed");
    exports.PLUGSTACK_PACKAGES_KEY = packagesStateKey(input.plugins) ?? "";
  }
  if (secret) {
    exports.PLUGSTACK_LOCALRC_FILE = join(secret.path, ".localrc.auto");
    writeFileSync(exports.PLUGSTACK_LOCALRC_FILE, localrc, { mode: 0o600 });
  }
  const hostProbe = (await input.hostProbe?.answers()) ?? "";
  const script = renderRunScript({
    self: selfCommand(),
    topDir,
    order: input.plugins.map((p) => p.name),
    dirs: Object.fromEntries(input.plugins.map((p) => [p.name, p.dir])),
    destOverride: input.destOverride,
    logFile,
    steps: planSteps(input.mode),
    merges: mergeBlocks(input.config),
    exports,
    errexit: input.mode === "stack",
    hostProbe,
  });
  const scriptPath = join(topDir, ".plugstack", `run-${input.mode}.sh`);
  writeFileSync(scriptPath, script);

  let result: Awaited<ReturnType<typeof runShell>>;
  try {
    result = await runShell({
      script: scriptPath,
      cwd: topDir,
      env: input.env,
      logFile,
      mode: input.mode,
      onEvent: input.onEvent,
      onOutput: input.onOutput,
    });
  } finally {
    secret?.remove();
  }
  const timings = collectTimings(result.events);
  const stepsDone = timings.steps.map((s) => s.name);
  if (result.status !== 0) {
    const failure = failureReport(result, logFile, (file, line) => mapLocalrc(file, line, input.config, topDir));
    return { timings, stepsDone, events: result.events, logFile, status: result.status, failure };
  }
  return { timings, stepsDone, events: result.events, logFile, status: 0 };
}

/** Exit status 127: the command's first word was not found; suggest the library function it was meant to be. */
function notFoundHint(command: string | undefined): { message: string; hint: string } | undefined {
  const word = command?.trim().split(/\s+/)[0];
  if (!word) return undefined;
  const near = closestWords(word, libraryFunctionNames(), 1)[0];
  return near
    ? { message: `${word}: command not found; did you mean ${near}?`, hint: `the library defines ${near}; fix the spelling there` }
    : { message: `${word}: command not found`, hint: "install the command or fix its name there" };
}

/** A failure inside .localrc.auto is shown at its place in local.conf. */
function mapLocalrc(file: string, line: number | undefined, config: LoadedConfig, topDir: string): string {
  if ((file === join(topDir, ".localrc.auto") || basename(file) === ".localrc.auto") && line) {
    const origin = config.localrc.lines[line - 1];
    if (origin) return `${origin.file}:${origin.line}`;
  }
  return line ? `${file}:${line}` : file;
}
