// plugstack status
import { defineCommand } from "citty";
import { collectStatus } from "../stack/status.ts";
import { runAction } from "./output.ts";
import { contextFromFlags, pickArgs } from "./shared.ts";

export default defineCommand({
  meta: { name: "status", description: "what is stacked, and drift from the lock and the checkouts" },
  args: pickArgs("config", "base", "dest", "json", "verbose", "quiet"),
  run: ({ args }) =>
    runAction("status", args, async (io) => {
      const run = contextFromFlags(args, io);
      const report = await collectStatus(run, { configPath: run.configPath, destFlag: run.destFlag, baseFlag: run.baseFlag });
      const code = report.drifted ? 1 : 0;
      io.result({ config: run.configPath, ...report });
      if (run.json) return code;
      const out: string[] = [`DEST ${report.dest}`];
      if (!report.state) out.push("nothing stacked here (no .plugstack/state.json)");
      for (const mode of ["stack", "unstack", "clean"] as const) {
        const r = report.state?.runs[mode];
        if (r)
          out.push(`last ${mode}: ${r.status} at ${r.finishedAt}${r.failure ? ` (${r.failure.plugin ?? "?"} in ${r.failure.step ?? "?"})` : ""}; log ${r.log}`);
      }
      for (const p of report.plugins) {
        const commit = p.stacked ? p.stacked.slice(0, 12) : "directory";
        out.push(`  ${p.name.padEnd(24)} ${commit.padEnd(12)} ${p.drift.length ? `DRIFT: ${p.drift.join("; ")}` : "ok"}`);
      }
      for (const n of report.notStacked) out.push(`  ${n.padEnd(24)} not stacked yet`);
      if (report.lockDrift.length) out.push(`config vs ${report.lockPath}:`, ...report.lockDrift.map((d) => `  DRIFT: ${d}`));
      process.stdout.write(`${out.join("\n")}\n`);
      return code;
    }),
});
