// Per-plugin fetch progress. On a terminal: each running fetch is a line of
// the live region (state, detail, updating elapsed time); when it ends, one
// finished line is printed above the region and stays. Otherwise (CI logs,
// pipes): one plain line per state change. --quiet prints nothing. Glyphs and
// colours only with colour on (see color.ts).
import type { FetchProgress, FetchState } from "../plugins/fetch.ts";
import { useColor } from "./color.ts";
import { createTerminal, stderrTerminal, type Terminal, type TermStream } from "./terminal.ts";

export type ProgressStream = TermStream;

export interface ProgressOptions {
  quiet?: boolean;
  /** where to draw (default: the process's stderr terminal) */
  term?: Terminal;
  /** a stream of its own instead (tests) */
  stream?: ProgressStream;
  /** default: useColor(stderr) */
  color?: boolean;
  /** redraw interval on a TTY, ms (0: only on events) */
  tickMs?: number;
  now?: () => number;
}

export interface Progress {
  update(e: FetchProgress): void;
  /** ends the live rows (finished ones were printed already) */
  done(): void;
  /** per plugin: when its fetch started and ended (for the run's table) */
  readonly times: ReadonlyMap<string, { started: number; ended?: number }>;
}

interface Row {
  plugin: string;
  state: FetchState;
  detail?: string;
  started: number;
  ended?: number;
}

export const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function paint(on: boolean, code: string, s: string): string {
  return on ? `\x1b[${code}m${s}\x1b[0m` : s;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

let regions = 0;

export function createProgress(opts: ProgressOptions = {}): Progress {
  const times = new Map<string, { started: number; ended?: number }>();
  const now = opts.now ?? (() => performance.now());
  if (opts.quiet) {
    // nothing shown, but the times still count (the run's table in --json)
    return {
      times,
      update(e) {
        const t = times.get(e.plugin);
        if (e.state !== "queued" && !t) times.set(e.plugin, { started: now() });
        if ((e.state === "done" || e.state === "failed") && t) t.ended = now();
      },
      done() {},
    };
  }
  const term = opts.term ?? (opts.stream ? createTerminal({ stream: opts.stream, tickMs: opts.tickMs }) : stderrTerminal());
  const color = opts.color ?? useColor(process.stderr);
  const key = `fetch-${regions++}`;
  const rows = new Map<string, Row>();
  let frame = 0;
  const width = () => Math.max(20, ...[...rows.keys()].map((k) => k.length));

  function running(r: Row): string {
    const spin = color ? paint(true, "36", SPINNER[frame % SPINNER.length]!) : "-";
    const detail = r.detail ? ` ${paint(color, "2", r.detail)}` : "";
    return `${spin} ${r.plugin.padEnd(width())} ${r.state}${detail} ${paint(color, "2", seconds(now() - r.started))}`;
  }

  function finished(r: Row): string {
    const took = seconds((r.ended ?? now()) - r.started);
    if (!term.live || !color) return `${r.plugin}: ${r.state}${r.detail ? ` ${r.detail}` : ""} (${took})`;
    const mark = r.state === "done" ? paint(color, "32", "✓") : paint(color, "31", "✗");
    const state = r.state === "done" ? "" : ` ${r.state}`;
    return `${mark} ${r.plugin.padEnd(width())}${state}${r.detail ? ` ${paint(color, "2", r.detail)}` : ""} ${paint(color, "2", took)}`;
  }

  const render = () => {
    frame++;
    return [...rows.values()].filter((r) => r.state !== "queued" && r.ended === undefined).map(running);
  };

  return {
    times,
    update(e) {
      const t = now();
      const row = rows.get(e.plugin);
      const changed = !row || row.state !== e.state || row.detail !== e.detail;
      if (!row) rows.set(e.plugin, { plugin: e.plugin, state: e.state, detail: e.detail, started: t });
      else {
        if (row.state === "queued" && e.state !== "queued") row.started = t;
        row.state = e.state;
        row.detail = e.detail;
      }
      const r = rows.get(e.plugin)!;
      if (e.state !== "queued") times.set(e.plugin, { started: r.started });
      if (e.state === "done" || e.state === "failed") {
        r.ended = t;
        times.set(e.plugin, { started: r.started, ended: t });
      }
      if (term.live) {
        if (r.ended !== undefined && changed) term.print(finished(r));
        term.region(key, render);
      } else if (changed && e.state !== "queued") {
        term.print(r.ended !== undefined ? finished(r) : `${e.plugin}: ${e.state}${e.detail ? ` ${e.detail}` : ""}`);
      }
    },
    done() {
      term.region(key, null);
    },
  };
}

/** Runs `fn` with per-plugin progress on stderr (none with --quiet or --json), ended however `fn` ends. */
export async function withProgress<T>(flags: { quiet: boolean; json: boolean }, fn: (onProgress: (e: FetchProgress) => void) => Promise<T>): Promise<T> {
  const progress = createProgress({ quiet: flags.quiet || flags.json });
  try {
    return await fn(progress.update);
  } finally {
    progress.done();
  }
}
