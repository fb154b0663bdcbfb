// What a stack/unstack/clean run shows on stderr while it runs, and the
// summary table after it (also after a failure, up to the failing hook).
//
// On a terminal: fetch rows, then one live line for the running step (its
// plugin and hook, elapsed times ticking); each finished step becomes a line
// with its duration above the live region, and stays. Not a terminal: the
// same finished lines, plain. echo_summary lines are printed once (with -v the
// hook's own output already carries them). -q: nothing but errors.
import type { Log } from "../log.ts";
import type { FetchProgress } from "../plugins/fetch.ts";
import { computePhases, formatMs, type PhaseRow, renderPhaseTable } from "../stack/report.ts";
import type { ShellEvent } from "../stack/shell.ts";
import { createProgress, paint, SPINNER } from "./progress.ts";
import type { Terminal } from "./terminal.ts";

export interface RunDisplay {
  onProgress(e: FetchProgress): void;
  onEvent(e: ShellEvent): void;
  /** a line of hook output (-v) */
  onOutput(line: string): void;
  /** ends the live region; the phases so far, up to now */
  finish(failed: boolean): { rows: PhaseRow[]; totalMs: number };
  /** the summary table as text */
  table(p: { rows: PhaseRow[]; totalMs: number }): string;
}

export interface RunDisplayOptions {
  term: Terminal;
  log: Log;
  color: boolean;
  /** nothing on stderr but errors (-q, --json) */
  quiet: boolean;
  verbose: boolean;
  startedAt: number;
  now?: () => number;
}

export function createRunDisplay(o: RunDisplayOptions): RunDisplay {
  const now = o.now ?? (() => performance.now());
  const progress = createProgress({ quiet: o.quiet, term: o.term, color: o.color, now });
  const events: ShellEvent[] = [];
  let step: { name: string; at: number } | undefined;
  let hook: { plugin: string; kind: string; at: number } | undefined;
  let fetching = true;
  let frame = 0;

  const live = () => {
    if (!step) return [];
    frame++;
    const spin = o.color ? paint(true, "36", SPINNER[frame % SPINNER.length]!) : "-";
    const t = now();
    const where = hook ? ` · ${hook.plugin} ${paint(o.color, "2", hook.kind)} ${formatMs(t - hook.at)}` : "";
    return [`${spin} ${step.name}${where} ${paint(o.color, "2", `[${formatMs(t - step.at)}]`)}`];
  };
  const done = (name: string, ms: number) => (o.color ? `${paint(true, "32", "✔")} ${name}  ${paint(true, "2", formatMs(ms))}` : `${name}  ${formatMs(ms)}`);

  return {
    onProgress: (e) => progress.update(e),
    onEvent(e) {
      events.push(e);
      if (fetching) {
        // the fetch display ends when the stack shell starts talking
        progress.done();
        fetching = false;
      }
      if (o.quiet) return;
      if (e.type === "step-start") {
        step = { name: e.fields[0] ?? "", at: e.at };
        o.term.region("run", live);
      } else if (e.type === "step-end" && step) {
        o.term.print(done(step.name, e.at - step.at));
        step = undefined;
        hook = undefined;
        o.term.region("run", null);
      } else if (e.type === "hook-start") {
        hook = { plugin: e.fields[0] ?? "", kind: e.fields[1] ?? "", at: e.at };
        if (o.verbose) o.log.debug(`  ${e.fields[0]}: ${e.fields[1]} (${e.fields[2]})`);
      } else if (e.type === "hook-end") hook = undefined;
      else if (e.type === "summary" && !o.verbose) o.term.print(`  ${e.fields[0] ?? ""}`);
      else if (e.type === "warn") o.log.warn(e.fields[0] ?? "");
    },
    onOutput(line) {
      if (!o.quiet) o.term.print(line);
    },
    finish(failed) {
      progress.done();
      o.term.region("run", null);
      return computePhases({ startedAt: o.startedAt, endedAt: now(), fetch: progress.times, events, failed });
    },
    table: (p) => renderPhaseTable(p),
  };
}
