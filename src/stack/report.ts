// Turns the events of a stack shell into timings and, on failure, one
// report. Pure.
import type { ShellEvent } from "./shell.ts";

export interface Timing {
  name: string;
  ms: number;
}

export interface RunTimings {
  steps: Timing[];
  /** per plugin (or extras.d / local.sh), summed over all its hooks */
  plugins: Timing[];
  /** per (step, plugin) */
  hooks: { step: string; plugin: string; kind: string; ms: number }[];
}

export function collectTimings(events: ShellEvent[]): RunTimings {
  const steps: Timing[] = [];
  const hooks: RunTimings["hooks"] = [];
  const perPlugin = new Map<string, number>();
  let stepStart: { name: string; at: number } | undefined;
  let hookStart: { plugin: string; kind: string; step: string; at: number } | undefined;
  for (const e of events) {
    if (e.type === "step-start") stepStart = { name: e.fields[0] ?? "", at: e.at };
    else if (e.type === "step-end" && stepStart) {
      steps.push({ name: stepStart.name, ms: Math.round(e.at - stepStart.at) });
      stepStart = undefined;
    } else if (e.type === "hook-start") {
      hookStart = { plugin: e.fields[0] ?? "", kind: e.fields[1] ?? "", step: e.fields[3] ?? "", at: e.at };
    } else if (e.type === "hook-end" && hookStart) {
      const ms = Math.round(e.at - hookStart.at);
      hooks.push({ step: hookStart.step, plugin: hookStart.plugin, kind: hookStart.kind, ms });
      perPlugin.set(hookStart.plugin, (perPlugin.get(hookStart.plugin) ?? 0) + ms);
      hookStart = undefined;
    }
  }
  return { steps, plugins: [...perPlugin].map(([name, ms]) => ({ name, ms })), hooks };
}

export interface FailureReport {
  status: number;
  plugin?: string;
  step?: string;
  file?: string;
  line?: number;
  command?: string;
  message?: string;
}

/**
 * Where the run stopped: the ERR trap's last record of the stack shell (file,
 * line, command), `die`'s own record, else the hook that was running at exit.
 */
export function findFailure(events: ShellEvent[], status: number): FailureReport {
  const report: FailureReport = { status };
  let exitEv: ShellEvent | undefined;
  let errEv: ShellEvent | undefined;
  let dieEv: ShellEvent | undefined;
  let lastHook: ShellEvent | undefined;
  for (const e of events) {
    if (e.type === "hook-start") {
      lastHook = e;
      errEv = undefined;
      dieEv = undefined;
    } else if (e.type === "hook-end") lastHook = undefined;
    else if (e.type === "error") errEv = e;
    else if (e.type === "die") dieEv = e;
    else if (e.type === "exit") exitEv = e;
  }
  if (exitEv) {
    report.plugin = exitEv.fields[1] || undefined;
    report.step = exitEv.fields[2] || undefined;
    report.file = exitEv.fields[3] || undefined;
  } else if (lastHook) {
    report.plugin = lastHook.fields[0];
    report.file = lastHook.fields[2];
    report.step = lastHook.fields[3];
  }
  // exit STATUS PLUGIN STEP FILE EXIT-FILE EXIT-LINE: a hook called `exit`
  const exitLine = toLine(exitEv?.fields[5]);
  if (!dieEv && exitEv && exitLine) {
    report.file = exitEv.fields[4] || report.file;
    report.line = exitLine;
    report.command = `exit ${status}`;
  } else if (dieEv) {
    // die STATUS FILE LINE MESSAGE
    report.file = dieEv.fields[1] || report.file;
    report.line = toLine(dieEv.fields[2]);
    report.message = dieEv.fields[3];
  } else if (errEv) {
    // error STATUS FILE LINE COMMAND PLUGIN STEP
    report.file = errEv.fields[1] || report.file;
    report.line = toLine(errEv.fields[2]);
    report.command = errEv.fields[3];
    report.plugin = report.plugin ?? (errEv.fields[4] || undefined);
    report.step = report.step ?? (errEv.fields[5] || undefined);
  }
  return report;
}

function toLine(s: string | undefined): number | undefined {
  const n = Number(s);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** One row of the summary table: a phase, its wall time, and the time each plugin spent in it. */
export interface PhaseRow {
  name: string;
  ms: number;
  /** plugin (or extras.d, local.sh) -> ms; only the plugins that ran in this phase */
  plugins: Record<string, number>;
  /** the run stopped in this phase */
  failed?: boolean;
}

export interface PhaseInput {
  /** when the command started and ended (one clock: performance.now()) */
  startedAt: number;
  endedAt: number;
  /** per plugin: its fetch (and checkout) */
  fetch?: ReadonlyMap<string, { started: number; ended?: number }>;
  /** the stack shell's events, of one or more shells in order */
  events: readonly ShellEvent[];
  /** the run failed (the last open step and hook are the failing ones) */
  failed?: boolean;
}

/**
 * The summary table: "preparation" (config, localrc, everything before the
 * first step that is not fetching), "fetch", each step, and "wrap-up" (between
 * and after the steps: shell start of a second mode, state and lock). Times
 * are whole milliseconds taken from rounded instants, so the rows add up to
 * exactly the wall time (the total). A step or hook still open at the end is
 * counted up to the end (the failing one). Pure.
 */
export function computePhases(input: PhaseInput): { rows: PhaseRow[]; totalMs: number } {
  const total = Math.max(0, Math.round(input.endedAt - input.startedAt));
  const at = (t: number) => Math.min(total, Math.max(0, Math.round(t - input.startedAt)));
  const rows: PhaseRow[] = [];
  const fetches = [...(input.fetch ?? new Map()).entries()];
  if (fetches.length) {
    const start = Math.min(...fetches.map(([, f]) => at(f.started)));
    const end = Math.max(...fetches.map(([, f]) => at(f.ended ?? input.endedAt)));
    const plugins: Record<string, number> = {};
    for (const [name, f] of fetches) plugins[name] = at(f.ended ?? input.endedAt) - at(f.started);
    rows.push({ name: "fetch", ms: end - start, plugins });
  }
  let step: PhaseRow | undefined;
  let stepAt = 0;
  let hook: { plugin: string; at: number } | undefined;
  let lastStepEnd: number | undefined;
  const endHook = (t: number) => {
    if (!hook || !step) return;
    step.plugins[hook.plugin] = (step.plugins[hook.plugin] ?? 0) + (t - hook.at);
    hook = undefined;
  };
  for (const e of input.events) {
    const t = at(e.at);
    if (e.type === "step-start") {
      step = { name: e.fields[0] ?? "", ms: 0, plugins: {} };
      stepAt = t;
    } else if (e.type === "hook-start" && step) hook = { plugin: e.fields[0] ?? "", at: t };
    else if (e.type === "hook-end") endHook(t);
    else if (e.type === "step-end" && step) {
      endHook(t);
      step.ms = t - stepAt;
      rows.push(step);
      step = undefined;
      lastStepEnd = t;
    }
  }
  if (step) {
    endHook(total);
    step.ms = total - stepAt;
    if (input.failed) step.failed = true;
    rows.push(step);
  }
  const firstStep = input.events.find((e) => e.type === "step-start");
  const fetchMs = rows[0]?.name === "fetch" ? rows[0].ms : 0;
  const beforeSteps = (firstStep ? at(firstStep.at) : (lastStepEnd ?? total)) - fetchMs;
  const counted = rows.reduce((n, r) => n + r.ms, 0);
  const preparation = Math.max(0, firstStep ? beforeSteps : total - counted);
  const wrapUp = total - counted - preparation;
  rows.unshift({ name: "preparation", ms: preparation, plugins: {} });
  if (wrapUp > 0) rows.push({ name: "wrap-up", ms: wrapUp, plugins: {} });
  return { rows, totalMs: total };
}

/** The summary table: phases down, plugins across (empty cells blank), then the totals; plain text. */
export function renderPhaseTable(p: { rows: readonly PhaseRow[]; totalMs: number }): string {
  const plugins: string[] = [];
  for (const r of p.rows) for (const name of Object.keys(r.plugins)) if (!plugins.includes(name)) plugins.push(name);
  const shown = p.rows.filter((r) => r.ms > 0 || Object.keys(r.plugins).length || r.failed);
  const perPlugin = plugins.map((n) => p.rows.reduce((sum, r) => sum + (r.plugins[n] ?? 0), 0));
  const table: string[][] = [
    ["phase", "time", ...plugins],
    ...shown.map((r) => [
      r.failed ? `${r.name} (failed)` : r.name,
      formatMs(r.ms),
      ...plugins.map((n) => (r.plugins[n] === undefined ? "" : formatMs(r.plugins[n]!))),
    ]),
    ["total", formatMs(p.totalMs), ...perPlugin.map(formatMs)],
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
