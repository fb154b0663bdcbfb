// plugstack fetch [--packages] [--python]
import { defineCommand } from "citty";
import { UsageError } from "../errors.ts";
import { shortSha } from "../plugins/git.ts";
import { renderLockDiff } from "../plugins/lockfile.ts";
import { fetchConfig } from "../stack/lock.ts";
import { runAction } from "./output.ts";
import { withProgress } from "./progress.ts";
import { type CliRun, contextFromFlags, pickArgs } from "./shared.ts";

function positiveInt(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) throw new UsageError(`--${flag} takes a whole number of 1 or more, not "${value}"`);
  return value;
}

/** The environment with --timeout/--retries applied (the cache's git runner reads them from there). */
function fetchEnv(run: CliRun, timeout?: string, retries?: string): CliRun["env"] {
  const env = { ...run.env };
  if (timeout) env.PLUGSTACK_GIT_TIMEOUT = timeout;
  if (retries) env.PLUGSTACK_GIT_RETRIES = retries;
  return env;
}

export default defineCommand({
  meta: { name: "fetch", description: "fill the cache with every commit the lock pins (and, with --packages, the OS packages; with --python, the wheels)" },
  args: {
    ...pickArgs("config", "base", "cache-dir", "offline", "locked", "frozen", "dry-run", "json", "verbose", "quiet", "jobs"),
    packages: {
      type: "boolean",
      description: "also download the packages the plugins list (with dependencies) for this distro; with a base, DevStack's own too",
    },
    python: { type: "boolean", description: "also fill a wheelhouse for the plugins, repos and base, under the locked upper-constraints" },
    timeout: {
      type: "string",
      description: "seconds one git command may take per remote (default $PLUGSTACK_GIT_TIMEOUT, $GIT_TIMEOUT, 600)",
      valueHint: "SECONDS",
    },
    retries: { type: "string", description: "tries per remote on transient network errors, with backoff (default 3)", valueHint: "N" },
  },
  run: ({ args }) =>
    runAction("fetch", args, async (io) => {
      const run = contextFromFlags(args, io);
      const log = run.log;
      const ctx = { ...run, env: fetchEnv(run, positiveInt("timeout", args.timeout), positiveInt("retries", args.retries)) };
      const r = await withProgress(run, (onProgress) =>
        fetchConfig(ctx, {
          configPath: run.configPath,
          baseFlag: run.baseFlag,
          locked: run.locked,
          dryRun: run.dryRun,
          packages: !!args.packages,
          python: !!args.python,
          onProgress,
        }),
      );
      if (r.dryRun) {
        io.result({ ...r, packages: null, python: null });
        if (!io.json)
          for (const e of r.entries) process.stdout.write(`${e.status === "cached" ? "cached " : "fetch  "} ${e.name}  ${shortSha(e.commit)}  ${e.url}\n`);
        return 0;
      }
      const { packages, python, basePackages } = r.extras;
      io.result({
        dryRun: false,
        config: r.config,
        cacheDir: r.cacheDir,
        lockPath: r.lockPath,
        lockChanges: r.lockChanges,
        entries: r.entries.map((e) => ({ name: e.label, kind: e.kind, url: e.url, ref: e.ref, commit: e.commit, status: e.status, mirror: e.mirror.path })),
        packages: packages && {
          distro: packages.plan.distro.distro,
          wanted: packages.wanted,
          base: basePackages,
          cached: packages.index?.packages.length ?? 0,
        },
        python: python && {
          python: python.index.python ?? null,
          constraints: python.constraints,
          requirements: python.requirements,
          requirementFiles: python.requirementFiles,
          wheels: python.index.wheels?.length ?? 0,
        },
      });
      for (const line of renderLockDiff(r.lockChanges)) log.info(`lock: ${line}`);
      if (r.lockWritten) log.info(`wrote ${r.lockPath}`);
      if (run.json) return 0;
      const fetched = r.entries.filter((e) => e.status === "fetched").length;
      log.success(
        `cache ready: ${r.entries.length} locked commit${r.entries.length === 1 ? "" : "s"} (${fetched} fetched, ${r.entries.length - fetched} already cached) in ${r.cacheDir}`,
      );
      if (packages) {
        const d = packages.plan.distro.distro || packages.plan.distro.id;
        if (!packages.index) log.info(`packages: no plugin lists a package for ${d}`);
        else
          log.success(
            `packages: ${packages.wanted.length} wanted for ${d}${basePackages.length ? ` (${basePackages.length} of them DevStack's own)` : ""}; ${packages.index.packages.length} package files (with dependencies) in the cache`,
          );
      }
      if (python) {
        const w = python.index.wheels?.length ?? 0;
        log.success(
          `python: ${w} wheel${w === 1 ? "" : "s"} for Python ${python.index.python} in the wheelhouse${python.constraints ? `, constrained by ${python.constraints}` : ""}`,
        );
      }
      return 0;
    }),
});
