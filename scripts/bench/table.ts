// The one table every benchmark scenario reports into: a figure, the baseline
// measured in the same run, their ratio, and the goal for it.
// Nothing here asserts: `met` is printed for the reader only.

export interface BenchRow {
  /** scenario flag name (restack, fetch, library, merge, startup) */
  scenario: string;
  /** the size this row is for (plugins, options, lines...) */
  n: string;
  figure: string;
  value: number;
  baselineName: string;
  baseline: number;
  unit: "ms" | "us" | "MiB" | "count";
  /** the largest value that meets the goal, with the goal as text */
  goal?: { limit: number; text: string };
}

export interface BenchOptions {
  /** tiny sizes and one run: proves the scenario still runs (CI) */
  smoke: boolean;
  runs: number;
  /** sizes given on the command line (--n), else the scenario's own */
  sizes?: number[];
  /** the plugstack binary */
  bin: string;
  log: (line: string) => void;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const fmt = (v: number, unit: BenchRow["unit"]) => {
  if (unit === "ms") return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;
  if (unit === "us") return `${v.toFixed(1)} us`;
  if (unit === "count") return String(v);
  return `${v.toFixed(1)} MiB`;
};

/** A markdown table (it reads as text too): one line per row. */
export function renderTable(rows: BenchRow[]): string {
  const head = ["scenario", "N", "figure", "value", "baseline", "baseline value", "ratio", "goal", "met"];
  const body = rows.map((r) => [
    r.scenario,
    r.n,
    r.figure,
    fmt(r.value, r.unit),
    r.baselineName,
    fmt(r.baseline, r.unit),
    `${(r.value / r.baseline).toFixed(r.value / r.baseline < 0.1 ? 3 : 2)}`,
    r.goal?.text ?? "",
    r.goal ? (r.value <= r.goal.limit ? "yes" : "NO") : "",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}
