// plugstack fetch [--packages] [--python]
import { defineCommand } from "citty";
import { fetchStackExtras } from "../base/fetch-extras.ts";
import { LockError, UsageError } from "../errors.ts";
import { checkLocked, loadLock, renderLockDiff } from "../plugins/lockfile.ts";
import { cacheStatus, fillCache, lockTargets } from "../plugins/fill.ts";
import { shortSha } from "../plugins/git.ts";
import { syncLock } from "../plugins/lock-rule.ts";
import { doesHostSetup, lockSpecs, prepareConfig } from "../stack/prepare.ts";
import { runAction } from "./output.ts";
import { createProgress } from "./progress.ts";
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
    packages: { type: "boolean", description: "also download the packages the plugins list (with dependencies) for this distro; with a base, DevStack's own too" },
    python: { type: "boolean", description: "also fill a wheelhouse for the plugins, repos and base, under the locked upper-constraints" },
    timeout: { type: "string", description: "seconds one git command may take per remote (default $PLUGSTACK_GIT_TIMEOUT, $GIT_TIMEOUT, 600)", valueHint: "SECONDS" },
    retries: { type: "string", description: "tries per remote on transient network errors, with backoff (default 3)", valueHint: "N" },
  },
  run: ({ args }) =>
    runAction("fetch", args, async (io) => {
      const run = contextFromFlags(args, io);
      const log = run.log;
      const env = fetchEnv(run, positiveInt("timeout", args.timeout), positiveInt("retries", args.retries));
      const prep = await prepareConfig(run, { configPath: run.configPath, destFlag: run.destFlag, baseFlag: run.baseFlag, order: "declared" });
      const ctx = { ...run, env, offline: prep.offline };
      const baseDir = prep.config.dir;
      if (run.dryRun) {
        // the lock as it is: resolving a changed config would already fetch
        const lock = loadLock(prep.lockPath);
        if (!lock) throw new LockError(`fetch --dry-run: there is no lock at ${prep.lockPath}, so nothing to list`, "run `plugstack lock` (or `plugstack fetch`) first");
        for (const d of checkLocked(lock, lockSpecs(prep))) log.warn(`the lock does not match the config (fetch would update it first): ${d}`);
        const entries = await cacheStatus(ctx, lockTargets(lock, baseDir));
        io.result({ dryRun: true, config: prep.config.path, cacheDir: ctx.cacheDir, lockPath: prep.lockPath, lockChanges: [], entries, packages: null, python: null });
        if (!io.json) for (const r of entries) process.stdout.write(`${r.status === "cached" ? "cached " : "fetch  "} ${r.name}  ${shortSha(r.commit)}  ${r.url}\n`);
        return 0;
      }
      const progress = createProgress({ quiet: run.quiet || run.json });
      try {
        const current = await syncLock(ctx, { specs: lockSpecs(prep), lockPath: prep.lockPath, baseDir, locked: run.locked, dryRun: false, purpose: "use", onProgress: progress.update });
        for (const line of renderLockDiff(current.changes)) log.info(`lock: ${line}`);
        if (current.written) log.info(`wrote ${prep.lockPath}`);
        const targets = lockTargets(current.lock, baseDir);
        const results = await fillCache(ctx, targets, { onProgress: progress.update });
        progress.done();
        const services = (prep.vars.ENABLED_SERVICES ?? "").split(",").filter(Boolean);
        const extras = await fetchStackExtras(ctx, current.lock, { baseDir, dest: prep.dest, services, packages: !!args.packages, python: !!args.python, hostSetup: doesHostSetup(prep) });
        const packages = extras.packages;
        const fetched = results.filter((r) => r.status === "fetched").length;
        io.result({
          dryRun: false,
          config: prep.config.path,
          cacheDir: ctx.cacheDir,
          lockPath: prep.lockPath,
          lockChanges: current.changes,
          entries: results.map((r) => ({ name: r.label, kind: r.kind, url: r.url, ref: r.ref, commit: r.commit, status: r.status, mirror: r.mirror.path })),
          packages: packages && { distro: packages.plan.distro.distro, wanted: packages.wanted, base: extras.basePackages, cached: packages.index?.packages.length ?? 0 },
          python: extras.python && {
            python: extras.python.index.python ?? null, constraints: extras.python.constraints, requirements: extras.python.requirements,
            requirementFiles: extras.python.requirementFiles, wheels: extras.python.index.wheels?.length ?? 0,
          },
        });
        if (run.json) return 0;
        log.success(`cache ready: ${results.length} locked commit${results.length === 1 ? "" : "s"} (${fetched} fetched, ${results.length - fetched} already cached) in ${ctx.cacheDir}`);
        if (packages) {
          const d = packages.plan.distro.distro || packages.plan.distro.id;
          if (!packages.index) log.info(`packages: no plugin lists a package for ${d}`);
          else log.success(`packages: ${packages.wanted.length} wanted for ${d}${extras.basePackages.length ? ` (${extras.basePackages.length} of them DevStack's own)` : ""}; ${packages.index.packages.length} package files (with dependencies) in the cache`);
        }
        if (extras.python) {
          const w = extras.python.index.wheels?.length ?? 0;
          log.success(`python: ${w} wheel${w === 1 ? "" : "s"} for Python ${extras.python.index.python} in the wheelhouse${extras.python.constraints ? `, constrained by ${extras.python.constraints}` : ""}`);
        }
        return 0;
      } finally {
        progress.done();
      }
    }),
});
