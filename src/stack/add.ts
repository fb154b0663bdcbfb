// `plugstack add NAME [URL] [REF]`: enable a plugin in local.conf. The URL
// comes from DevStack's plugin registry when not given. The plugin is fetched
// into the cache first, its settings' plugin_requires are read from there,
// and every required plugin that is not enabled yet is added before it (from
// the registry, recursively). local.conf is rewritten atomically with only the
// new lines added; then the lock is brought up to date. If anything fails
// after local.conf was written, its old text is put back.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { type EnableLine, insertEnableLines, renderEnableLine } from "../config/edit.ts";
import type { Ctx } from "../context.ts";
import { ConfigError, UsageError } from "../errors.ts";
import { withScratchCache } from "../plugins/cache.ts";
import { type FetchProgress, resolveOne } from "../plugins/fetch.ts";
import { syncLock } from "../plugins/lock-rule.ts";
import { type LockDiffRow, lockPathFor } from "../plugins/lockfile.ts";
import { lookupPlugin, suggestPluginNames } from "../plugins/registry.ts";
import { scanResolvedSettings } from "../plugins/requirements.ts";
import { isCacheMiss, offlineError } from "../plugins/resolve.ts";
import { checkPluginSpec, type PluginSpec } from "../plugins/spec.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { classifyUrl } from "../util/git-url.ts";
import { lockSpecs, prepareConfig } from "./prepare.ts";

export interface AddOptions {
  configPath: string;
  name: string;
  url?: string;
  ref?: string;
  dryRun: boolean;
  onProgress?: (e: FetchProgress) => void;
}

export interface AddedPlugin extends EnableLine {
  /** the plugin whose plugin_requires brought it in */
  requiredBy?: string;
  /** "registry" when the URL was taken from DevStack's plugin registry */
  urlFrom: "argument" | "registry";
  /** its line in the new local.conf */
  line: number;
  commit: string | null;
}

export interface AddResult {
  configPath: string;
  /** in the order the lines were written: requirements first */
  added: AddedPlugin[];
  /** already enabled: where */
  alreadyEnabled?: { file: string; line: number };
  lockPath: string;
  lockRows: LockDiffRow[];
  written: boolean;
}

type Planned = Omit<AddedPlugin, "line">;

/** A local path argument is written relative to local.conf's directory (as enable_plugin reads it). */
function urlForConfig(url: string, cwd: string, configDir: string): string {
  if (classifyUrl(url, cwd).kind !== "local" || isAbsolute(url)) return url;
  const rel = relative(configDir, resolve(cwd, url)) || ".";
  return rel.startsWith("..") ? rel : `./${rel}`;
}

function registryUrl(name: string, why: string): string {
  const hit = lookupPlugin(name);
  if (hit) return hit.url;
  const near = suggestPluginNames(name);
  throw new UsageError(
    `${why}: ${name} is not in DevStack's plugin registry, so its URL is unknown`,
    near.length
      ? `did you mean ${near.join(", ")}? Otherwise give the URL: plugstack add ${name} URL`
      : `give the URL: plugstack add ${name} URL (plugstack search TERM lists the registry)`,
  );
}

/** Replace local.conf atomically; a failure names the file and the cause. */
function writeConfig(path: string, text: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new ConfigError(
      `cannot write it (${code})`,
      path,
      undefined,
      code === "ENOENT"
        ? "its directory does not exist: create it first, or point -c/--config elsewhere"
        : "check the permissions of the file and its directory",
    );
  }
}

export async function addPlugin(ctx: Ctx, opts: AddOptions): Promise<AddResult> {
  const configPath = resolve(ctx.cwd, opts.configPath);
  const lockPath = lockPathFor(configPath);
  const exists = existsSync(configPath);
  const original = exists ? readFileSync(configPath, "utf8") : "";
  const prep = exists ? await prepareConfig(ctx, { configPath, order: "declared" }) : undefined;
  if (prep && prep.config.localrc.source === "localrc") {
    throw new ConfigError(
      "a localrc file beside local.conf replaces its [[local|localrc]] block, so a line added there would not count",
      configPath,
      undefined,
      "add the enable_plugin line to that localrc file by hand",
    );
  }
  const configDir = resolve(configPath, "..");
  if (!existsSync(configDir))
    throw new ConfigError(`directory ${configDir} does not exist`, configPath, undefined, "create it first, or point -c/--config at an existing local.conf");
  const enabled = new Map((prep?.specs ?? []).map((s) => [s.name, s]));
  const present = enabled.get(opts.name);
  if (present) {
    if (opts.url && urlForConfig(opts.url, ctx.cwd, configDir) !== present.url) {
      throw new ConfigError(
        `plugin ${opts.name} is already enabled with ${present.url}`,
        present.file,
        present.line,
        "change or remove that enable_plugin line by hand",
      );
    }
    return { configPath, added: [], alreadyEnabled: { file: present.file, line: present.line }, lockPath, lockRows: [], written: false };
  }

  const url = opts.url ? urlForConfig(opts.url, ctx.cwd, configDir) : registryUrl(opts.name, `plugin ${opts.name}`);
  // a dry run resolves the plugins to add in a scratch cache: it changes no cache either
  const planLines = async (rctx: Ctx): Promise<Planned[]> => {
    const planned: Planned[] = [];
    const visiting: string[] = [];
    const visit = async (line: Omit<Planned, "commit">): Promise<void> => {
      if (enabled.has(line.name) || planned.some((p) => p.name === line.name) || visiting.includes(line.name)) return;
      visiting.push(line.name);
      const spec: PluginSpec = { name: line.name, url: line.url, ref: line.ref ?? "master", refGiven: !!line.ref, order: 0, file: configPath, line: 0 };
      checkPluginSpec(spec);
      const r = await resolveOne(rctx, spec, { baseDir: configDir }, (state, detail) => opts.onProgress?.({ plugin: spec.name, state, detail }));
      if (isCacheMiss(r)) throw offlineError([r]);
      opts.onProgress?.({ plugin: spec.name, state: "done", detail: r.commit ? `${r.commit.slice(0, 7)} (${r.resolvedRef})` : "local directory" });
      const { file, scan } = await scanResolvedSettings(rctx, r);
      const own = new Set([line.name, ...scan.defines]);
      for (const req of scan.requires) {
        if (!own.has(req.plugin)) continue;
        const why = `${line.name} requires ${req.required} (plugin_requires at ${file}:${req.line})`;
        if (enabled.has(req.required) || planned.some((p) => p.name === req.required)) continue;
        await visit({ name: req.required, url: registryUrl(req.required, why), urlFrom: "registry", requiredBy: line.name });
      }
      visiting.pop();
      planned.push({ ...line, commit: r.commit });
    };
    await visit({ name: opts.name, url, ref: opts.ref, urlFrom: opts.url ? "argument" : "registry" });
    return planned;
  };
  const planned = await withScratchCache(ctx, planLines, { dryRun: !!opts.dryRun });

  const ins = insertEnableLines(
    original,
    configPath,
    planned.map((p) => renderEnableLine(p, configPath)),
  );
  const added = planned.map((p, i) => ({ ...p, line: ins.lines[i]! }));
  if (opts.dryRun) return { configPath, added, lockPath, lockRows: [], written: false };

  writeConfig(configPath, ins.text);
  try {
    const next = await prepareConfig(ctx, { configPath, order: "declared" });
    const synced = await syncLock(
      { ...ctx, offline: next.offline },
      { specs: lockSpecs(next), lockPath, baseDir: next.config.dir, locked: false, dryRun: false, purpose: "lock" },
    );
    return { configPath, added, lockPath, lockRows: synced.changes, written: true };
  } catch (e) {
    if (exists) writeConfig(configPath, original);
    else rmSync(configPath, { force: true });
    if (e instanceof Error) e.message += `\n(${configPath} was put back as it was)`;
    throw e;
  }
}
