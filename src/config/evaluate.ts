// Learns the plugin list the way DevStack does: by sourcing the localrc text
// in bash (variables, conditionals and functions all work), in a throwaway
// process, with a recording enable_plugin.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, fromSystemError, PlugstackError } from "../errors.ts";
import { checkPluginSpec, type PluginSpec } from "../plugins/spec.ts";
import { type CapturedRun, runCaptured } from "../util/group-child.ts";
import { closestWords } from "../util/suggest.ts";
import { makeTempDir } from "../util/temp.ts";
import driver from "./evaluate-driver.sh" with { type: "text" };
import type { LineOrigin, LoadedConfig } from "./load.ts";
import syntaxProbe from "./syntax-probe.sh" with { type: "text" };

/**
 * The variables plugstack itself reads from localrc (CONTRACT 4 step 1); unset ones are omitted.
 * VIRT_DRIVER is not among them: the stack shell reads it (shell/driver.sh's hypervisor hooks).
 */
const EVALUATED_VARS = [
  "DEST",
  "OFFLINE",
  "RECLONE",
  "ERROR_ON_CLONE",
  "GIT_DEPTH",
  "ENABLED_SERVICES",
  "PLUGSTACK_BASE",
  "STACK_USER",
  "PLUGSTACK_HOST_SETUP",
] as const;

/** The bash code evaluateLocalrc runs besides the prelude it is given: what a kept evaluation's key covers (eval-cache.ts). */
export function evaluatorText(): string {
  return `${driver}\0${syntaxProbe}`;
}

export interface EvaluateOptions {
  /** bash text sourced before localrc (the library and defaults); must load cleanly */
  prelude: string;
  env: Record<string, string | undefined>;
  /** working directory of the bash process (the directory of local.conf) */
  cwd: string;
  /** kill the evaluation after this long (default $PLUGSTACK_EVAL_TIMEOUT seconds, else 60 s) */
  timeoutMs?: number;
  /** names whose environment values are checked after the prelude (Evaluated.changed) */
  watch?: string[];
}

export interface Evaluated {
  plugins: PluginSpec[];
  vars: Record<string, string>;
  /** what the prelude and localrc printed (stdout and stderr together); none for a kept evaluation (eval-cache.ts) */
  output?: string;
  /** names of `watch` the prelude changed or unset */
  changed?: string[];
}

interface RawPlugin {
  name: string;
  url: string;
  ref: string;
  refGiven: boolean;
  line: number;
  argc: number;
}

interface Report {
  preludeOk: boolean;
  preludeStatus?: number;
  done: boolean;
  plugins: RawPlugin[];
  vars: Record<string, string>;
  notFound: { command: string; line: number }[];
  functions: Set<string>;
  changed: string[];
}

/** Reads the NUL-separated records the driver wrote (see evaluate-driver.sh). */
function parseReport(raw: string): Report {
  const fields = raw.split("\0");
  const report: Report = { preludeOk: false, done: false, plugins: [], vars: {}, notFound: [], functions: new Set(), changed: [] };
  let i = 0;
  const next = () => fields[i++] ?? "";
  while (i < fields.length) {
    const tag = next();
    if (tag === "prelude-ok") report.preludeOk = true;
    else if (tag === "prelude-failed") report.preludeStatus = Number(next());
    else if (tag === "plugin") {
      const [name, url, ref, given, line, argc] = [next(), next(), next(), next(), next(), next()];
      report.plugins.push({ name, url, ref, refGiven: given === "1", line: Number(line), argc: Number(argc) });
    } else if (tag === "var") {
      const name = next();
      report.vars[name] = next();
    } else if (tag === "notfound") {
      const command = next();
      report.notFound.push({ command, line: Number(next()) });
    } else if (tag === "function") report.functions.add(next());
    else if (tag === "changed") report.changed.push(next());
    else if (tag === "done") report.done = true;
  }
  return report;
}

/**
 * The output of an evaluation with the temporary localrc file's name replaced
 * by local.conf:LINE, and the last `localrc: line N: message` bash printed.
 */
function localrcOutput(output: string, localrcPath: string, loaded: LoadedConfig): { text: string; lastStop?: { line: number; message: string } } {
  let lastStop: { line: number; message: string } | undefined;
  const prefix = `${localrcPath}: line `;
  const text = output
    .split("\n")
    .map((l) => {
      if (!l.startsWith(prefix)) return l.replaceAll(localrcPath, "localrc");
      const rest = l.slice(prefix.length);
      const colon = rest.indexOf(":");
      const n = Number(rest.slice(0, colon));
      if (!Number.isInteger(n)) return l;
      const o = originOf(loaded.localrc.lines, n, { file: loaded.path, line: 0 });
      lastStop = { line: n, message: rest.slice(colon + 1).trim() };
      return `${o.file}:${o.line}:${rest.slice(colon + 1)}`;
    })
    .join("\n");
  return { text, lastStop };
}

function tail(output: string, n = 20): string {
  const lines = output.trimEnd().split("\n");
  return lines.slice(-n).join("\n");
}

/** Where line `n` (1-based) of the localrc text came from; the nearest known line when out of range. */
function originOf(lines: LineOrigin[], n: number, fallback: LineOrigin): LineOrigin {
  if (lines.length === 0) return fallback;
  if (n < 1) return lines[0]!;
  return lines[Math.min(n, lines.length) - 1]!;
}

/** Output kept from the evaluation: $PLUGSTACK_EVAL_OUTPUT_MAX bytes (default 4 MiB); more stops it. */
function outputCap(env: Record<string, string>): number {
  const n = Number(env.PLUGSTACK_EVAL_OUTPUT_MAX || 4 * 1024 * 1024);
  return Number.isFinite(n) && n > 0 ? n : 4 * 1024 * 1024;
}

/** runCaptured, with PLUGSTACK_PARENT_PID for the watcher in the group (see evaluate-driver.sh): it kills the group if plugstack dies. */
function run(cmd: string[], opts: { cwd: string; env: Record<string, string>; timeoutMs: number; report?: boolean; capBytes?: number }): Promise<CapturedRun> {
  return runCaptured(cmd, { ...opts, env: { ...opts.env, PLUGSTACK_PARENT_PID: String(process.pid) } });
}

/**
 * For "unexpected end of file": the line that opened the construct left
 * unclosed (an `if` without `fi`), which bash does not name. It is the line
 * after the longest prefix of the text that parses as a whole; one bash
 * checks every prefix by parsing it as a function body (nothing runs).
 */
async function findUnclosed(path: string, env: Record<string, string>, cwd: string, timeoutMs: number): Promise<number | undefined> {
  const r = await run(["bash", "--noprofile", "--norc", "-c", syntaxProbe, "syntax-probe", path], { cwd, env, timeoutMs });
  const ok = Number(r.stdout.trim());
  if (r.code !== 0 || !Number.isInteger(ok)) return undefined;
  const lines = (await readFile(path, "utf8")).split("\n");
  // the unclosed construct starts at the first non-blank, non-comment line after the last complete prefix
  for (let n = ok + 1; n <= lines.length; n++) if (!/^\s*(#.*)?$/.test(lines[n - 1] ?? "")) return n;
  return undefined;
}

/** bash -n on the localrc text; a syntax error becomes a ConfigError at its local.conf line. */
async function checkSyntax(path: string, loaded: LoadedConfig, env: Record<string, string>, cwd: string, timeoutMs: number) {
  const r = await run(["bash", "-O", "extglob", "-n", path], { cwd, env, timeoutMs });
  if (r.code === 0) return;
  const prefix = `${path}: line `;
  const messages: string[] = [];
  let first: number | undefined;
  for (const text of r.stderr.split("\n")) {
    if (!text.startsWith(prefix)) continue;
    const rest = text.slice(prefix.length);
    const colon = rest.indexOf(":");
    const n = Number(rest.slice(0, colon));
    if (first === undefined && Number.isInteger(n)) first = n;
    messages.push(rest.slice(colon + 1).trim());
  }
  const eof = messages.some((m) => /unexpected end of file/.test(m));
  const opener = eof ? await findUnclosed(path, env, cwd, timeoutMs) : undefined;
  const origin = originOf(loaded.localrc.lines, opener ?? first ?? 0, { file: loaded.path, line: 0 });
  const text = messages.join(" / ") || r.stderr.trim().replaceAll(path, "localrc");
  throw new ConfigError(
    opener ? `bash cannot parse the localrc text: this line opens a block that is never closed (${text})` : `bash cannot parse the localrc text: ${text}`,
    origin.file,
    origin.line || undefined,
    opener
      ? "close it (if ... fi, for/while ... done, case ... esac, { ... }, a quote) in the [[local|localrc]] block (it is sourced by bash)"
      : "fix the shell syntax on that line of the [[local|localrc]] block (it is sourced by bash)",
  );
}

function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Sources `prelude`, then the localrc text, in a throwaway bash (not under
 * errexit, as DevStack sources localrc) and returns the validated plugins in
 * enable_plugin order plus the variables plugstack needs.
 */
export async function evaluateLocalrc(loaded: LoadedConfig, opts: EvaluateOptions): Promise<Evaluated> {
  const env = cleanEnv(opts.env);
  if (opts.watch?.length) env.PLUGSTACK_EVAL_WATCH = opts.watch.join(" ");
  const timeoutMs = opts.timeoutMs ?? (Number(env.PLUGSTACK_EVAL_TIMEOUT) > 0 ? Number(env.PLUGSTACK_EVAL_TIMEOUT) * 1000 : 60_000);
  const cap = outputCap(env);
  // inputs only (the library, the localrc text, the driver): the output and
  // the report come back through pipes
  const temp = makeTempDir("localrc", opts.env);
  const dir = temp.path;
  try {
    const paths = {
      prelude: join(dir, "prelude.sh"),
      localrc: join(dir, "localrc"),
      driver: join(dir, "driver.sh"),
    };
    const write = (path: string, text: string) =>
      writeFile(path, text).catch((e: unknown) => {
        throw fromSystemError(e, path) ?? e;
      });
    await Promise.all([write(paths.prelude, opts.prelude), write(paths.localrc, loaded.localrc.text), write(paths.driver, driver)]);
    await checkSyntax(paths.localrc, loaded, env, opts.cwd, timeoutMs);

    const cmd = ["bash", "--noprofile", "--norc", paths.driver, paths.prelude, paths.localrc, "3", ...EVALUATED_VARS];
    const r = await run(cmd, { cwd: opts.cwd, env, timeoutMs, report: true, capBytes: cap });
    const output = r.stderr + r.stdout;
    const report = parseReport(r.report);
    const firstLine = originOf(loaded.localrc.lines, 1, { file: loaded.path, line: 0 });

    if (r.overflow)
      throw new ConfigError(
        r.overflow === "output"
          ? `evaluating the localrc text printed more than ${Math.round(cap / 1024)} KiB and was stopped`
          : "evaluating the localrc text called enable_plugin without end and was stopped",
        firstLine.file,
        firstLine.line || undefined,
        "localrc is only read to learn settings: remove commands that print endlessly (e.g. a stray `yes`); PLUGSTACK_EVAL_OUTPUT_MAX raises the limit",
      );
    if (r.timedOut)
      throw new ConfigError(
        `evaluating the localrc text took longer than ${Math.round(timeoutMs / 1000)}s and was stopped`,
        firstLine.file,
        firstLine.line || undefined,
        "localrc must not wait for input or run long commands; it is only read to learn settings",
      );
    if (!report.preludeOk)
      throw new PlugstackError(
        `internal error: plugstack's own shell library failed to load before localrc (${
          report.preludeStatus !== undefined ? `status ${report.preludeStatus}` : `bash exited with ${r.code}`
        })${output.trim() ? `:\n${tail(output)}` : ""}`,
        "this is a bug in plugstack, not in your local.conf; please report it with the output above",
      );
    const shown = localrcOutput(output, paths.localrc, loaded);
    for (const nf of report.notFound) {
      const at = nf.line > 0 ? originOf(loaded.localrc.lines, nf.line, firstLine) : firstLine;
      const names = [...report.functions].filter((f) => !f.startsWith("_"));
      const near = closestWords(nf.command, names, 1)[0];
      throw new ConfigError(
        `${nf.command}: command not found while evaluating localrc${near ? `; did you mean ${near}?` : ""}`,
        at.file,
        at.line || undefined,
        near ? `the library defines ${near}; fix the spelling on that line` : "install that command, or fix its name on that line (localrc is sourced by bash)",
      );
    }
    if (!report.done) {
      const stop = shown.lastStop;
      // no message from bash: an `exit` ended it, most likely the first one in the text
      const exitLine = stop ? 0 : loaded.localrc.text.split("\n").findIndex((l) => /^\s*([^#]*[;&|({]\s*)?exit\b/.test(l)) + 1;
      const at = stop ? originOf(loaded.localrc.lines, stop.line, firstLine) : exitLine > 0 ? originOf(loaded.localrc.lines, exitLine, firstLine) : firstLine;
      const lineText = stop ? (loaded.localrc.text.split("\n")[stop.line - 1] ?? "") : "";
      const byExit = /(^|[;&|({]\s*|\s)exit\b/.test(lineText) || exitLine > 0;
      throw new ConfigError(
        `the localrc text stopped the evaluation (bash exited with status ${r.code})${stop ? `: ${stop.message}` : ""}${shown.text.trim() && !stop ? `\n${tail(shown.text)}` : ""}`,
        at.file,
        at.line || undefined,
        byExit
          ? "localrc is sourced into the stack shell, so `exit` there ends the whole run; remove it"
          : "this error ends bash while it sources localrc (as it would end stack.sh); fix that line",
      );
    }

    return { plugins: toSpecs(report.plugins, loaded, firstLine), vars: report.vars, output, changed: report.changed };
  } finally {
    temp.remove();
  }
}

function toSpecs(raw: RawPlugin[], loaded: LoadedConfig, fallback: LineOrigin): PluginSpec[] {
  const specs: PluginSpec[] = [];
  const seen = new Map<string, PluginSpec>();
  raw.forEach((p, order) => {
    const at = p.line > 0 ? originOf(loaded.localrc.lines, p.line, fallback) : fallback;
    if (p.name === "" || p.url === "")
      throw new ConfigError(
        `enable_plugin needs a NAME and a URL (got ${p.argc} argument${p.argc === 1 ? "" : "s"}${p.name ? `: ${p.name}` : ""})`,
        at.file,
        at.line || undefined,
        "write it as: enable_plugin NAME URL [REF]; check that the variables it uses are set",
      );
    const spec: PluginSpec = { name: p.name, url: p.url, ref: p.ref, refGiven: p.refGiven, order, file: at.file, line: at.line };
    checkPluginSpec(spec);
    const before = seen.get(spec.name);
    if (before)
      throw new ConfigError(
        `plugin ${spec.name} is enabled twice: first at ${before.file}:${before.line}, again here`,
        spec.file,
        spec.line || undefined,
        "keep one enable_plugin line per plugin",
      );
    seen.set(spec.name, spec);
    specs.push(spec);
  });
  return specs;
}
