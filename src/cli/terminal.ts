// stderr for humans: finished lines, and on a terminal one live region below
// them. print() writes finished text above the region and redraws the region
// under it, in one write, so a finished line is never overwritten or erased;
// the region (running steps, fetches, with elapsed times) is redrawn in place
// on a timer. Not a terminal: no region at all, print() is a plain write.
import { stripAnsi } from "./color.ts";

export interface TermStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Terminal {
  /** a live region is drawn (the stream is a terminal) */
  readonly live: boolean;
  /** finished text (one or more whole lines), above the live region */
  print(text: string): void;
  /** set (or with null remove) one part of the live region; parts show in the order first set */
  region(key: string, render: (() => string[]) | null): void;
  /** erase the live region (before the process exits) */
  clear(): void;
}

export interface TerminalOptions {
  stream?: TermStream;
  /** default: stream.isTTY */
  live?: boolean;
  /** redraw interval of the region, ms (0: only on print/region calls) */
  tickMs?: number;
}

export function createTerminal(opts: TerminalOptions = {}): Terminal {
  const stream = opts.stream ?? process.stderr;
  const live = opts.live ?? !!stream.isTTY;
  const parts = new Map<string, () => string[]>();
  let drawn = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const clip = (line: string): string => {
    const cols = stream.columns ?? 0;
    const plain = stripAnsi(line);
    if (!cols || plain.length < cols) return line;
    return `${plain.slice(0, cols - 2)}…`;
  };
  const regionText = (): [string, number] => {
    const lines = [...parts.values()].flatMap((r) => r()).map(clip);
    return [lines.map((l) => `${l}\n`).join(""), lines.length];
  };
  const erase = () => (drawn ? `\x1b[${drawn}F\x1b[J` : "");
  const draw = (before = "") => {
    const [text, n] = regionText();
    stream.write(`${erase()}${before}${text}`);
    drawn = n;
  };
  const schedule = () => {
    if (!live || opts.tickMs === 0) return;
    if (parts.size && !timer) {
      timer = setInterval(() => draw(), opts.tickMs ?? 100);
      (timer as { unref?: () => void }).unref?.();
    } else if (!parts.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    live,
    print(text) {
      if (!text) return;
      const whole = text.endsWith("\n") ? text : `${text}\n`;
      if (!live || (!drawn && !parts.size)) stream.write(whole);
      else draw(whole);
    },
    region(key, render) {
      if (!live) return;
      if (render) parts.set(key, render);
      else parts.delete(key);
      schedule();
      draw();
    },
    clear() {
      parts.clear();
      schedule();
      if (drawn) stream.write(erase());
      drawn = 0;
    },
  };
}

let shared: Terminal | undefined;

/** The one terminal on this process's stderr (the log, progress and tables all print through it). */
export function stderrTerminal(): Terminal {
  shared ??= createTerminal();
  return shared;
}
