// Per-plugin fetch progress on stderr. On a terminal: one live line per
// plugin, redrawn in place (with elapsed time). Otherwise (CI logs, pipes):
// one plain line per state change. --quiet prints nothing; NO_COLOR drops
// colours (the in-place redraw stays, it is not colour).
import type { FetchProgress, FetchState } from "../plugins/fetch.ts";

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  quiet?: boolean;
  /** default process.stderr */
  stream?: ProgressStream;
  /** default: the stream is a TTY and NO_COLOR is unset */
  color?: boolean;
  /** redraw interval on a TTY, ms (0: only on events) */
  tickMs?: number;
  now?: () => number;
}

export interface Progress {
  update(e: FetchProgress): void;
  /** final redraw; stops the timer */
  done(): void;
}

interface Row {
  plugin: string;
  state: FetchState;
  detail?: string;
  started: number;
  ended?: number;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

function paint(on: boolean, code: string, s: string): string {
  return on ? `\x1b[${code}m${s}\x1b[0m` : s;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function createProgress(opts: ProgressOptions = {}): Progress {
  if (opts.quiet) return { update() {}, done() {} };
  const stream: ProgressStream = opts.stream ?? process.stderr;
  const tty = !!stream.isTTY;
  const color = opts.color ?? (tty && !process.env.NO_COLOR);
  const now = opts.now ?? (() => performance.now());
  const rows = new Map<string, Row>();
  let drawn = 0;
  let frame = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const width = () => Math.max(20, Math.max(0, ...[...rows.keys()].map((k) => k.length)));

  function line(r: Row): string {
    const name = r.plugin.padEnd(width());
    const elapsed = r.state === "queued" ? "" : ` ${paint(color, "2", seconds((r.ended ?? now()) - r.started))}`;
    const detail = r.detail ? ` ${paint(color, "2", r.detail)}` : "";
    let mark: string;
    if (r.state === "done") mark = paint(color, "32", "✓");
    else if (r.state === "failed") mark = paint(color, "31", "✗");
    else if (r.state === "queued") mark = paint(color, "2", "·");
    else mark = paint(color, "36", SPINNER[frame % SPINNER.length]!);
    const state = r.state === "done" ? "" : ` ${r.state}`;
    return `${mark} ${name}${state}${detail}${elapsed}`;
  }

  function clip(s: string): string {
    const cols = stream.columns ?? 0;
    if (!cols || color) return s; // never cut through an escape sequence
    return s.length > cols - 1 ? `${s.slice(0, cols - 2)}…` : s;
  }

  function redraw(): void {
    let out = drawn ? `\x1b[${drawn}A` : "";
    for (const r of rows.values()) out += `\r\x1b[2K${clip(line(r))}\n`;
    drawn = rows.size;
    stream.write(out);
  }

  return {
    update(e) {
      const t = now();
      const row = rows.get(e.plugin);
      const changed = !row || row.state !== e.state || row.detail !== e.detail;
      if (!row) rows.set(e.plugin, { plugin: e.plugin, state: e.state, detail: e.detail, started: t });
      else {
        if (row.state === "queued" && e.state !== "queued") row.started = t;
        row.state = e.state;
        row.detail = e.detail;
        if (e.state === "done" || e.state === "failed") row.ended = t;
      }
      if (tty) {
        if (!timer && opts.tickMs !== 0) {
          timer = setInterval(() => {
            frame++;
            redraw();
          }, opts.tickMs ?? 120);
          (timer as { unref?: () => void }).unref?.();
        }
        redraw();
      } else if (changed && e.state !== "queued") {
        const r = rows.get(e.plugin)!;
        const took = r.ended !== undefined ? ` (${seconds(r.ended - r.started)})` : "";
        stream.write(`${e.plugin}: ${e.state}${e.detail ? ` ${e.detail}` : ""}${took}\n`);
      }
    },
    done() {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (tty && rows.size) redraw();
    },
  };
}
