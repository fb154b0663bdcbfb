// plugstack bundle create FILE | bundle import FILE
import { dirname, resolve } from "node:path";
import { defineCommand } from "citty";
import { importBundle } from "../plugins/bundle-import.ts";
import { shortSha } from "../plugins/git.ts";
import { lockPathFor, renderLockDiff } from "../plugins/lockfile.ts";
import { bundleConfig } from "../stack/lock.ts";
import { runAction } from "./output.ts";
import { withProgress } from "./progress.ts";
import { contextFromFlags, pickArgs } from "./shared.ts";

function size(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

const create = defineCommand({
  meta: { name: "create", description: "pack the lock, the locked commits (full history), cached packages and wheels into FILE" },
  args: {
    ...pickArgs("config", "base", "cache-dir", "offline", "locked", "frozen", "dry-run", "json", "verbose", "quiet", "jobs"),
    file: { type: "positional", required: true, description: "bundle file to write", valueHint: "FILE" },
    packages: {
      type: "boolean",
      default: true,
      description: "include the offline package cache",
      negativeDescription: "leave the offline package cache (OS packages and wheels) out of the bundle",
    },
  },
  run: ({ args }) =>
    runAction("bundle create", args, async (io) => {
      const run = contextFromFlags(args, io);
      const log = run.log;
      const file = resolve(run.cwd, args.file);
      const r = await withProgress(run, (onProgress) =>
        bundleConfig(run, {
          configPath: run.configPath,
          baseFlag: run.baseFlag,
          locked: run.locked,
          dryRun: run.dryRun,
          file,
          packages: args.packages !== false,
          onProgress,
        }),
      );
      for (const line of renderLockDiff(r.lockChanges)) log.info(`lock: ${line}`);
      if (r.dryRun) {
        io.result({ dryRun: true, file, config: r.config, lockPath: r.lockPath, lockChanges: r.lockChanges, entries: r.entries });
        if (!io.json) {
          for (const e of r.entries) process.stdout.write(`${e.status === "cached" ? "bundle " : "fetch  "} ${e.name}  ${shortSha(e.commit)}  ${e.url}\n`);
          log.info(`dry run: ${file} and ${r.lockPath} were not written`);
        }
        return 0;
      }
      io.result({
        dryRun: false,
        file,
        config: r.config,
        lockPath: r.lockPath,
        lockChanges: r.lockChanges,
        bytes: r.bytes,
        repos: r.repos,
        packages: r.packages,
        members: r.members,
      });
      if (run.json) return 0;
      const commits = r.repos.reduce((n, x) => n + x.commits.length, 0);
      log.success(
        `wrote ${file} (${size(r.bytes)}): ${r.repos.length} repo${r.repos.length === 1 ? "" : "s"}, ${commits} locked commit${commits === 1 ? "" : "s"}${r.packages.length ? `, packages for ${r.packages.join(", ")}` : ""}`,
      );
      log.info(`on the other machine: plugstack bundle import ${file} (writes local.conf there when there is none), then plugstack stack --frozen`);
      return 0;
    }),
});

const importCmd = defineCommand({
  meta: { name: "import", description: "verify FILE completely, then fill the cache from it and write the lock and local.conf where there are none" },
  args: {
    ...pickArgs("config", "cache-dir", "json", "verbose", "quiet"),
    file: { type: "positional", required: true, description: "bundle file to import", valueHint: "FILE" },
    "replace-lock": { type: "boolean", description: "overwrite an existing lock that differs from the bundle's" },
  },
  run: ({ args }) =>
    runAction("bundle import", args, async (io) => {
      const run = contextFromFlags(args, io);
      const log = run.log;
      const lockPath = lockPathFor(run.configPath);
      const file = resolve(run.cwd, args.file);
      const r = await importBundle(run, file, { lockPath, baseDir: dirname(run.configPath), replaceLock: !!args["replace-lock"], configPath: run.configPath });
      io.result({
        file,
        config: run.configPath,
        configStatus: r.config.status,
        cacheDir: run.cacheDir,
        lockPath,
        lockStatus: r.lockStatus,
        lockDiff: r.lockDiff,
        repos: r.repos,
        packages: r.packages,
      });
      if (run.json) return 0;
      const created = r.repos.filter((x) => x.status === "created").length;
      const nothingNew =
        r.repos.every((x) => x.status === "unchanged") &&
        r.packages.every((p) => p.status === "unchanged") &&
        r.lockStatus === "unchanged" &&
        (r.config.status === "unchanged" || r.config.status === "absent");
      if (nothingNew) {
        log.success(
          `nothing to do: ${run.cacheDir} and ${lockPath} already hold everything ${file} has (${r.repos.length} repo${r.repos.length === 1 ? "" : "s"}${r.packages.length ? `, packages for ${r.packages.map((p) => p.distro).join(", ")}` : ""})`,
        );
        return 0;
      }
      log.success(
        `verified ${file} and filled ${run.cacheDir}: ${r.repos.length} repo${r.repos.length === 1 ? "" : "s"} (${created} new mirror${created === 1 ? "" : "s"})`,
      );
      for (const p of r.packages) log.info(`packages for ${p.distro}: ${p.status}${p.added ? ` (${p.added} files)` : ""}`);
      if (r.config.status === "written") log.success(`wrote ${run.configPath} (the bundle's local.conf)`);
      else if (r.config.status === "kept-different") log.warn(`kept ${run.configPath}, which differs from the bundle's local.conf`);
      if (r.lockStatus === "written") log.success(`wrote ${lockPath}`);
      else if (r.lockStatus === "unchanged") log.info(`${lockPath} already matches the bundle's lock`);
      else if (r.lockStatus === "replaced") log.warn(`replaced ${lockPath} with the bundle's lock:\n  ${r.lockDiff.join("\n  ")}`);
      else {
        log.warn(`kept ${lockPath}, which differs from the bundle's lock (bundle's on the right):\n  ${r.lockDiff.join("\n  ")}`);
        log.info(`to use the bundle's lock: plugstack bundle import ${file} --replace-lock`);
      }
      return 0;
    }),
});

export default defineCommand({
  meta: { name: "bundle", description: "move a locked stack to a machine without network: create FILE here, import FILE there" },
  subCommands: { create, import: importCmd },
});
