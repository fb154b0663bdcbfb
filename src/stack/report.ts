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
      steps.push({ name: stepStart.name, ms: e.at - stepStart.at });
      stepStart = undefined;
    } else if (e.type === "hook-start") {
      hookStart = { plugin: e.fields[0] ?? "", kind: e.fields[1] ?? "", step: e.fields[3] ?? "", at: e.at };
    } else if (e.type === "hook-end" && hookStart) {
      const ms = e.at - hookStart.at;
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

/** The summary table printed after a run. */
export function renderTimings(t: RunTimings, totalMs: number): string {
  const rows: [string, string][] = [
    ...t.steps.map((s): [string, string] => [s.name, formatMs(s.ms)]),
    ["", ""],
    ...t.plugins.map((p): [string, string] => [`  ${p.name}`, formatMs(p.ms)]),
  ];
  const width = Math.max(12, ...rows.map(([a]) => a.length));
  const out = [`${"phase".padEnd(width)}  time`];
  for (const [a, b] of rows) {
    if (!a && !b) out.push(`${"plugin".padEnd(width)}  time`);
    else out.push(`${a.padEnd(width)}  ${b}`);
  }
  out.push(`${"total".padEnd(width)}  ${formatMs(totalMs)}`);
  return out.join("\n");
}
