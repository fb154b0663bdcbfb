// plugstack internal ...: callbacks from the stack shell's library into the
// binary, so packages and git_clone go through one code path (cache, lock,
// offline). Not for people; hidden from --help.
import { writeSync } from "node:fs";
import { defineCommand } from "citty";
import { type Ctx, resolveCacheDir } from "../context.ts";
import { createLog } from "../log.ts";
import { installBindepFile, installPackages, uninstallPackages, updatePackageRepo } from "../packages/install.ts";
import { cloneRepo } from "../plugins/clone-repo.ts";
import { loadLock } from "../plugins/lockfile.ts";
import { installRunPackages } from "../stack/run-packages.ts";
import { isTrue } from "../util/bash-truth.ts";
import { runAction } from "./output.ts";

/** The context the stack shell hands down through PLUGSTACK_* variables. */
function shellCtx(): Ctx {
  const env = { ...process.env };
  return {
    cwd: process.cwd(),
    env,
    log: createLog({ verbose: isTrue(env.PLUGSTACK_VERBOSE) }),
    cacheDir: env.PLUGSTACK_CACHE_DIR || resolveCacheDir(undefined, env, process.cwd()),
    offline: isTrue(env.PLUGSTACK_OFFLINE) || isTrue(env.OFFLINE),
    jobs: 1,
  };
}

/** Tells the running plugstack something over the stack shell's event pipe. */
function emitEvent(fields: string[]): void {
  const fd = Number(process.env.PLUGSTACK_EVENT_FD);
  if (!Number.isInteger(fd) || fd < 0) return;
  try {
    writeSync(fd, `${fields.map((f) => f.replace(/[\t\n]/g, " ")).join("\t")}\n`);
  } catch {
    // not under a stack shell: nothing to tell
  }
}

function packageArgs(raw: string[]): string[] {
  const i = raw.indexOf("--");
  return (i >= 0 ? raw.slice(i + 1) : raw).filter((a) => a && !a.startsWith("-"));
}

const dryRun = () => isTrue(process.env.PLUGSTACK_DRY_RUN);

const installPluginPackages = defineCommand({
  meta: { name: "install-plugin-packages", description: "install the packages the run's plugins list" },
  run: () =>
    runAction("internal", {}, async () => {
      const ctx = shellCtx();
      await installRunPackages(ctx, {
        runFile: ctx.env.PLUGSTACK_RUN_FILE,
        general: isTrue(ctx.env.PLUGSTACK_GENERAL_PREREQS),
        stamp: ctx.env.PLUGSTACK_PACKAGES_STAMP,
        dryRun: dryRun(),
        onPlan: (text) => process.stdout.write(text),
      });
    }),
});

const installPackagesCmd = defineCommand({
  meta: { name: "install-packages", description: "install_package" },
  run: ({ rawArgs }) =>
    runAction("internal", {}, async () => {
      await installPackages(shellCtx(), packageArgs(rawArgs), { dryRun: dryRun() });
    }),
});

const uninstallPackagesCmd = defineCommand({
  meta: { name: "uninstall-packages", description: "uninstall_package" },
  run: ({ rawArgs }) =>
    runAction("internal", {}, async () => {
      await uninstallPackages(shellCtx(), packageArgs(rawArgs), { dryRun: dryRun() });
    }),
});

const updatePackageRepoCmd = defineCommand({
  meta: { name: "update-package-repo", description: "update_package_repo" },
  run: () =>
    runAction("internal", {}, async () => {
      await updatePackageRepo(shellCtx(), { dryRun: dryRun() });
    }),
});

const installBindepCmd = defineCommand({
  meta: { name: "install-bindep", description: "install_bindep FILE [PROFILE...]" },
  args: { file: { type: "positional", required: true } },
  run: ({ args, rawArgs }) =>
    runAction("internal", {}, async () => {
      const profiles = rawArgs.filter((a) => a !== args.file && !a.startsWith("-"));
      await installBindepFile(shellCtx(), args.file, { profiles, dryRun: dryRun() });
    }),
});

const repoClone = defineCommand({
  meta: { name: "repo-clone", description: "git_clone from the cache, pinned in the lock" },
  args: {
    url: { type: "string", required: true },
    dir: { type: "string", required: true },
    ref: { type: "string", default: "" },
    plugin: { type: "string", default: "" },
  },
  run: ({ args }) =>
    runAction("internal", {}, async () => {
      const ctx = shellCtx();
      const lockPath = ctx.env.PLUGSTACK_LOCKFILE;
      const result = await cloneRepo(ctx, {
        url: args.url,
        dir: args.dir,
        ref: args.ref,
        plugin: args.plugin,
        reclone: isTrue(ctx.env.RECLONE),
        errorOnClone: isTrue(ctx.env.ERROR_ON_CLONE),
        gitDepth: Number(ctx.env.GIT_DEPTH ?? 0) || 0,
        lock: lockPath ? loadLock(lockPath) : null,
      });
      if (result.message) ctx.log.info(result.message);
      const e = result.entry;
      if (e.commit) {
        emitEvent(["repo", e.url, e.ref, e.commit, e.requested_by, result.dir]);
        process.stdout.write(`${result.dir} at ${result.commit}\n`);
      }
    }),
});

export default defineCommand({
  meta: { name: "internal", description: "callbacks from the stack shell", hidden: true },
  subCommands: {
    "install-plugin-packages": installPluginPackages,
    "install-packages": installPackagesCmd,
    "uninstall-packages": uninstallPackagesCmd,
    "update-package-repo": updatePackageRepoCmd,
    "install-bindep": installBindepCmd,
    "repo-clone": repoClone,
  },
});
