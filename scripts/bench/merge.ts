// Merge scenario (`npm run bench -- --merge`): [[post-config]] blocks of
// local.conf merged with merge_config_group, against the same options set
// with one iniset call each (what DevStack's merge_config_file does),
// measured in the same bash process on fresh copies of the same files.
// Sizes: options in total (default 2000), spread over 20 files of 5 sections.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeLibraryTree } from "../../src/shell/export.ts";
import type { BenchOptions, BenchRow } from "./table.ts";

const SCRIPT = `
set -u
source "$TOP/functions"
ms() { local t=\${EPOCHREALTIME/./}; echo "$((10#$t / 1000))"; }
run_merge() {
    rm -rf "$WORK/etc"; mkdir -p "$WORK/etc"
    local t0=\${EPOCHREALTIME/./}
    merge_config_group "$WORK/local.conf" post-config
    local t1=\${EPOCHREALTIME/./}
    echo "merge $(( (10#$t1 - 10#$t0) ))"
    cp -r "$WORK/etc" "$WORK/merged"
}
run_iniset() {
    rm -rf "$WORK/etc"; mkdir -p "$WORK/etc"
    local f s o t0 t1
    t0=\${EPOCHREALTIME/./}
    while IFS=' ' read -r f s o v; do
        iniset "$WORK/etc/$f" "$s" "$o" "$v"
    done <"$WORK/ops"
    t1=\${EPOCHREALTIME/./}
    echo "iniset $(( (10#$t1 - 10#$t0) ))"
}
for ((r = 0; r < RUNS; r++)); do
    rm -rf "$WORK/merged"
    run_merge
    run_iniset
    # both ways write the same files
    diff -r "$WORK/merged" "$WORK/etc" >&2 || { echo "merge and iniset results differ" >&2; exit 1; }
done
`;

export async function benchMerge(opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const total of opts.sizes ?? (opts.smoke ? [40] : [2000])) {
    const files = opts.smoke ? 2 : 20;
    const per = Math.ceil(total / files);
    const root = mkdtempSync(join(tmpdir(), "plugstack-bench-merge-"));
    try {
      const top = join(root, "top");
      writeLibraryTree(top);
      const conf: string[] = [];
      const ops: string[] = [];
      for (let f = 0; f < files; f++) {
        conf.push(`[[post-config|$WORK/etc/file${f}.conf]]`);
        for (let s = 0; s < 5; s++) {
          conf.push(`[section${s}]`);
          for (let o = s; o < per; o += 5) {
            conf.push(`option${o} = value-${f}-${o}`);
            ops.push(`file${f}.conf section${s} option${o} value-${f}-${o}`);
          }
        }
      }
      writeFileSync(join(root, "local.conf"), `${conf.join("\n")}\n`);
      // iniset per option, in the order merge_config_file would set them
      // (new options go right after the header, so each section backwards)
      const ordered: string[] = [];
      let group: string[] = [];
      let key = "";
      for (const op of ops) {
        const k = op.split(" ").slice(0, 2).join(" ");
        if (k !== key) {
          ordered.push(...group.reverse());
          group = [];
          key = k;
        }
        group.push(op);
      }
      ordered.push(...group.reverse());
      writeFileSync(join(root, "ops"), `${ordered.join("\n")}\n`);
      writeFileSync(join(root, "bench.sh"), SCRIPT);
      const p = Bun.spawnSync(["bash", "--norc", "--noprofile", join(root, "bench.sh")], {
        cwd: root,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: root, LANG: "C.UTF-8", TOP: top, WORK: root, RUNS: String(opts.runs) },
        stdout: "pipe",
        stderr: "pipe",
      });
      if (p.exitCode !== 0) throw new Error(`merge benchmark failed (${p.exitCode}): ${p.stderr.toString()}`);
      const times = { merge: [] as number[], iniset: [] as number[] };
      for (const line of p.stdout.toString().trim().split("\n")) {
        const [name, us] = line.split(" ");
        times[name as "merge" | "iniset"].push(Number(us) / 1000);
      }
      opts.log(
        `merge: ${total} options: merge ${times.merge.map((t) => `${t.toFixed(0)}ms`).join(" ")}; iniset ${times.iniset.map((t) => `${t.toFixed(0)}ms`).join(" ")}`,
      );
      const merge = Math.min(...times.merge);
      const iniset = Math.min(...times.iniset);
      rows.push({
        scenario: "merge",
        n: `${per * files} options, ${files} files`,
        figure: "merge_config_group post-config",
        value: merge,
        baselineName: "one iniset per option",
        baseline: iniset,
        unit: "ms",
        goal: { limit: iniset / 20, text: "<= 0.05 (20x)" },
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return rows;
}
