// The localrc evaluation of an unchanged re-run, kept: when the localrc text
// is declarative (declarative.ts), its evaluation depends only on the text,
// the environment and the library, so the answer of the last successful
// evaluation is reused and the throwaway bash is skipped. The key (sha256):
//   - the localrc text and where each of its lines came from (file:line);
//   - the path of local.conf (the evaluation runs in its directory);
//   - this plugstack build (version and commit) and the bash code the
//     evaluation runs (the library by its digest, the run script's lines
//     around it and the evaluation driver as text: a build from an
//     uncommitted tree says only "+dirty");
//   - the uid;
//   - the whole environment but VOLATILE_ENV.
// The value is what evaluateLocalrc returned (plugins and variables; its
// output is read by nothing and not kept),
// with its key, in <cache>/eval/<slot>.json: one slot per config path and
// uid, so a new environment replaces the config's entry instead of adding
// one (the cache does not grow with every shell session). Written
// atomically, by `stack` only, once its --locked check has passed (the
// other commands and the dry runs read it), after a successful evaluation
// in which the library changed none of the environment variables localrc
// expands, and never when it holds a URL credential (those are written
// nowhere); an entry that cannot be read or parsed is a miss.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { renderVersion } from "../build-info.ts";
import type { PluginSpec } from "../plugins/spec.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { redact } from "../util/redact.ts";
import type { Evaluated } from "./evaluate.ts";
import type { LoadedConfig } from "./load.ts";

/**
 * Environment variables left out of the key: shells change them between
 * otherwise equal runs (hyperfine sets its variable to a random-length value
 * each run). A localrc that expands one is not cached (withoutVolatile).
 */
export const VOLATILE_ENV = ["_", "PWD", "OLDPWD", "SHLVL", "HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET"] as const;

/** The environment without VOLATILE_ENV: what the key and the classifier see. */
export function withoutVolatile(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (const name of VOLATILE_ENV) delete out[name];
  return out;
}

/** The key of this localrc's evaluation with this environment, by this build, its bash `code` and this user. */
export function evalCacheKey(loaded: LoadedConfig, env: Record<string, string | undefined>, uid: number, code: string): string {
  const h = createHash("sha256");
  const part = (...fields: string[]) => h.update(`${fields.join("\0")}\0\0`);
  part("plugstack", renderVersion());
  part("code", code);
  part("config", loaded.path);
  part("uid", String(uid));
  part("localrc", loaded.localrc.text);
  for (const o of loaded.localrc.lines) part("line", o.file, String(o.line));
  const kept = withoutVolatile(env);
  for (const name of Object.keys(kept).sort()) {
    const v = kept[name];
    if (v !== undefined) part("env", name, v);
  }
  return h.digest("hex");
}

/** The file of a config's kept evaluation: one per local.conf path and uid. */
export function evalCacheSlot(configPath: string, uid: number): string {
  return createHash("sha256").update(`${configPath}\0${uid}`).digest("hex");
}

function entryPath(cacheDir: string, slot: string): string {
  return join(cacheDir, "eval", `${slot}.json`);
}

function isSpec(p: unknown): p is PluginSpec {
  const s = p as PluginSpec;
  return (
    typeof s === "object" &&
    s !== null &&
    typeof s.name === "string" &&
    typeof s.url === "string" &&
    typeof s.ref === "string" &&
    typeof s.refGiven === "boolean" &&
    typeof s.order === "number" &&
    typeof s.file === "string" &&
    typeof s.line === "number"
  );
}

/** The kept evaluation and when it was made, or null (none, unreadable or malformed: a miss). */
export function readEvalCache(cacheDir: string, slot: string, key: string): { evaluated: Evaluated; since: Date } | null {
  const path = entryPath(cacheDir, slot);
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as { key?: unknown; plugins?: unknown; vars?: unknown };
    if (data.key !== key || !Array.isArray(data.plugins) || !data.plugins.every(isSpec)) return null;
    if (typeof data.vars !== "object" || data.vars === null || Array.isArray(data.vars)) return null;
    const vars = data.vars as Record<string, unknown>;
    if (!Object.values(vars).every((v) => typeof v === "string")) return null;
    return { evaluated: { plugins: data.plugins, vars: vars as Record<string, string> }, since: statSync(path).mtime };
  } catch {
    return null;
  }
}

/**
 * Keeps a successful evaluation, unless it holds a URL credential; a cache
 * that cannot be written only costs the next run an evaluation.
 */
export function writeEvalCache(cacheDir: string, slot: string, key: string, evaluated: Evaluated): boolean {
  const text = JSON.stringify({ key, plugins: evaluated.plugins, vars: evaluated.vars });
  if (redact(text) !== text) return false;
  try {
    mkdirSync(join(cacheDir, "eval"), { recursive: true });
    writeFileAtomic(entryPath(cacheDir, slot), text);
    return true;
  } catch {
    // read-only or full cache: evaluate again next time
    return false;
  }
}
