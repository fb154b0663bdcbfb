// local.conf.lock (CONTRACT 8): TOML, byte-stable. Keys in one fixed order
// per table (name, url, ref, commit; repos: url, ref, commit, requested_by),
// entries sorted, no timestamps, trailing newline; parseLock(renderLock(x))
// equals x for a sorted lock.
import { readFileSync } from "node:fs";
import { parse, stringify } from "smol-toml";
import { LockError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import { redact, stripCredentials } from "../util/redact.ts";
import { isFullSha } from "../util/sha.ts";
import { type PluginSpec, validatePluginName, validatePluginUrl, validateRef } from "./spec.ts";

const LOCK_VERSION = 1;

export interface LockedPlugin {
  name: string;
  url: string;
  ref: string;
  /** absent for a plain local directory (not pinned) */
  commit?: string;
}

/** A repo a plugin cloned itself through git_clone / git_clone_by_name. */
export interface LockedRepo {
  url: string;
  ref: string;
  commit: string;
  /** the plugin whose hook asked for it */
  requested_by: string;
}

/** The DevStack base layer (PLUGSTACK_BASE): one per lock, checked out at $DEST/devstack. */
export interface LockedBase {
  url: string;
  ref: string;
  commit: string;
}

export interface Lock {
  version: typeof LOCK_VERSION;
  /** the [base] entry, when the config sets PLUGSTACK_BASE */
  base?: LockedBase;
  plugins: LockedPlugin[];
  repos: LockedRepo[];
}

/** The name the base goes by: its directory under $DEST, the requester of the repos DevStack clones. */
export const BASE_NAME = "devstack";

/** How the base is named in lock diffs and progress lines. */
export const BASE_LABEL = `${BASE_NAME} (base)`;

/** Another name for Lock. */
export type Lockfile = Lock;

/** `<config>.lock`, beside the config. */
export function lockPathFor(configPath: string): string {
  return `${configPath}.lock`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The one rule for "same URL" between a lock and a config: credentials do
 * not count (the lock never stores them; it shows `***` where they were).
 */
export function sameLockUrl(a: string, b: string): boolean {
  return a === b || stripCredentials(a) === stripCredentials(b);
}

/**
 * The one identity of a [[repo]] entry: its repo (URL, credentials aside) and
 * the plugin that cloned it. A plugin that changes the ref it passes to
 * git_clone replaces its entry; two plugins cloning the same repo keep one
 * entry each.
 */
export function sameRepo(a: Pick<LockedRepo, "url" | "requested_by">, b: Pick<LockedRepo, "url" | "requested_by">): boolean {
  return a.requested_by === b.requested_by && sameLockUrl(a.url, b.url);
}

/** How a [[repo]] entry is named in diffs, progress lines and errors (its identity, as text). */
export function repoLabel(r: Pick<LockedRepo, "url" | "requested_by">, url = redact(r.url)): string {
  return `${url} (git_clone by ${r.requested_by || "?"})`;
}

/** Whether a progress or error name is a [[repo]] entry's label rather than a plugin's name. */
export function isRepoLabel(name: string): boolean {
  return name.includes(" (git_clone by ");
}

/** Entries in their canonical order. */
function sortLock(lock: Lock): Lock {
  return {
    version: LOCK_VERSION,
    ...(lock.base ? { base: lock.base } : {}),
    plugins: [...lock.plugins].sort((a, b) => cmp(a.name, b.name) || cmp(a.url, b.url)),
    repos: [...lock.repos].sort((a, b) => cmp(a.url, b.url) || cmp(a.requested_by, b.requested_by) || cmp(a.ref, b.ref)),
  };
}

/** Lock -> TOML text, byte-stable. */
export function renderLock(lock: Lock): string {
  const sorted = sortLock(lock);
  const doc: Record<string, unknown> = { version: LOCK_VERSION };
  if (sorted.base) doc.base = { url: redact(sorted.base.url), ref: sorted.base.ref, commit: sorted.base.commit };
  if (sorted.plugins.length) {
    doc.plugin = sorted.plugins.map((p) => ({ name: p.name, url: redact(p.url), ref: p.ref, ...(p.commit ? { commit: p.commit } : {}) }));
  }
  if (sorted.repos.length) {
    doc.repo = sorted.repos.map((r) => ({ url: redact(r.url), ref: r.ref, commit: r.commit, requested_by: r.requested_by }));
  }
  const text = stringify(doc);
  return text.endsWith("\n") ? text : `${text}\n`;
}

function fail(file: string, message: string, hint = `fix ${file}, or delete it and run \`plugstack lock\``): LockError {
  return new LockError(`${file}: ${message}`, hint);
}

function str(entry: Record<string, unknown>, key: string, where: string, file: string): string {
  const v = entry[key];
  if (typeof v !== "string" || v === "") throw fail(file, `${where} has no ${key} (a non-empty string is required)`);
  return v;
}

/** A lock's URLs and refs pass the same checks as the config's: the lock is input too. */
function url(entry: Record<string, unknown>, where: string, file: string): string {
  const v = str(entry, "url", where, file);
  const bad = validatePluginUrl(v);
  if (bad) throw fail(file, `${where} has an unusable url: ${bad}`);
  return v;
}

function ref(entry: Record<string, unknown>, where: string, file: string): string {
  const v = str(entry, "ref", where, file);
  const bad = validateRef(v);
  if (bad) throw fail(file, `${where} has an unusable ref: ${bad}`);
  return v;
}

function name(entry: Record<string, unknown>, key: string, where: string, file: string): string {
  const v = str(entry, key, where, file);
  const bad = validatePluginName(v);
  if (bad) throw fail(file, `${where} has an unusable ${key}: ${bad}`);
  return v;
}

function tables(doc: Record<string, unknown>, key: string, file: string): Record<string, unknown>[] {
  const v = doc[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((e) => typeof e !== "object" || e === null || Array.isArray(e))) {
    throw fail(file, `"${key}" must be written as [[${key}]] tables`);
  }
  return v as Record<string, unknown>[];
}

/** TOML text -> Lock; `file` names the lock in errors. */
export function parseLock(text: string, file = "local.conf.lock"): Lock {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    throw fail(file, `not valid TOML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (doc.version !== LOCK_VERSION) {
    const v = doc.version === undefined ? "missing" : JSON.stringify(doc.version);
    throw fail(
      file,
      `lock format version ${v} is not supported (this plugstack reads version ${LOCK_VERSION})`,
      "it was probably written by a newer plugstack: upgrade plugstack, or run `plugstack lock` to rewrite it in this version's format",
    );
  }
  const plugins = tables(doc, "plugin", file).map((e, i): LockedPlugin => {
    const where = `[[plugin]] #${i + 1}`;
    const p: LockedPlugin = { name: name(e, "name", where, file), url: url(e, where, file), ref: ref(e, where, file) };
    if (e.commit !== undefined) {
      if (typeof e.commit !== "string" || !isFullSha(e.commit))
        throw fail(file, `${where} (${p.name}) has commit ${JSON.stringify(e.commit)}, not a full lowercase SHA`);
      p.commit = e.commit;
    }
    return p;
  });
  const repos = tables(doc, "repo", file).map((e, i): LockedRepo => {
    const where = `[[repo]] #${i + 1}`;
    const commit = str(e, "commit", where, file);
    if (!isFullSha(commit)) throw fail(file, `${where} has commit ${JSON.stringify(commit)}, not a full lowercase SHA`);
    return { url: url(e, where, file), ref: ref(e, where, file), commit, requested_by: name(e, "requested_by", where, file) };
  });
  let base: LockedBase | undefined;
  if (doc.base !== undefined) {
    const b = doc.base;
    if (typeof b !== "object" || b === null || Array.isArray(b)) throw fail(file, `"base" must be written as one [base] table`);
    const e = b as Record<string, unknown>;
    const commit = str(e, "commit", "[base]", file);
    if (!isFullSha(commit)) throw fail(file, `[base] has commit ${JSON.stringify(commit)}, not a full lowercase SHA`);
    base = { url: url(e, "[base]", file), ref: ref(e, "[base]", file), commit };
  }
  const seen = new Set<string>();
  for (const p of plugins) {
    if (seen.has(p.name)) throw fail(file, `plugin ${p.name} is locked twice`);
    seen.add(p.name);
  }
  return { version: LOCK_VERSION, ...(base ? { base } : {}), plugins, repos };
}

/** The lock at `path`, or null when there is none. */
export function loadLock(path: string): Lock | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new LockError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return parseLock(text, path);
}

/** Write atomically (temp file + rename); unchanged bytes are not rewritten. */
export function writeLock(path: string, lock: Lock): void {
  const text = renderLock(lock);
  try {
    if (readFileSync(path, "utf8") === text) return;
  } catch {
    // no lock yet
  }
  try {
    writeFileAtomic(path, text);
  } catch (e) {
    throw new LockError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/** The lock's entry of a plugin by name, or of the base (as a plugin named BASE_NAME). */
export function lockedPluginOf(lock: Lock | null, name: string, base = false): LockedPlugin | undefined {
  if (base) return lock?.base ? { name: BASE_NAME, ...lock.base } : undefined;
  // a search per plugin: 200 of them cost about 0.1 ms (parseLock refuses a name locked twice)
  return lock?.plugins.find((p) => p.name === name);
}

/** The lock entry that still applies to `spec` (same name, url and ref), if any. */
export function lockedEntryFor(lock: Lock | null, spec: Pick<PluginSpec, "name" | "url" | "ref" | "base">): LockedPlugin | undefined {
  const e = lockedPluginOf(lock, spec.name, spec.base);
  return e && sameLockUrl(e.url, spec.url) && e.ref === spec.ref ? e : undefined;
}

/** The [[repo]] entry for a git_clone call at `ref`: this plugin's own (sameRepo), else another plugin's pin of the same repo and ref. */
export function lockedRepoFor(lock: Lock | null, q: { url: string; ref: string; requested_by?: string }): LockedRepo | undefined {
  const same = lock?.repos.filter((r) => sameLockUrl(r.url, q.url) && r.ref === q.ref) ?? [];
  return same.find((r) => sameRepo(r, { url: q.url, requested_by: q.requested_by ?? "" })) ?? same[0];
}

/** A lock for resolved plugins (a plain directory gets no commit) and the base among them, keeping `repos`. */
export function lockFromPlugins(
  resolved: readonly { name: string; url: string; ref: string; commit: string | null; base?: boolean }[],
  repos: readonly LockedRepo[] = [],
): Lock {
  const b = resolved.find((p) => p.base && p.commit);
  const plugins = resolved.filter((p) => !p.base);
  return sortLock({
    version: LOCK_VERSION,
    ...(b ? { base: { url: b.url, ref: b.ref, commit: b.commit! } } : {}),
    plugins: plugins.map((p) => ({ name: p.name, url: p.url, ref: p.ref, ...(p.commit ? { commit: p.commit } : {}) })),
    repos: [...repos],
  });
}

export interface LockDiffRow {
  kind: "changed" | "added" | "removed";
  /** plugin name, or the URL of a [[repo]] */
  name: string;
  old?: { url: string; ref: string; commit?: string };
  new?: { url: string; ref: string; commit?: string };
}

function keyed(lock: Lock | null): Map<string, { url: string; ref: string; commit?: string }> {
  const m = new Map<string, { url: string; ref: string; commit?: string }>();
  if (lock?.base) m.set(BASE_LABEL, lock.base);
  for (const p of lock?.plugins ?? []) m.set(p.name, p);
  for (const r of lock?.repos ?? []) m.set(repoLabel(r), r);
  return m;
}

/** What moved between two locks: one row per changed, added or removed entry, in name order. */
export function diffLocks(old: Lock | null, next: Lock): LockDiffRow[] {
  const a = keyed(old);
  const b = keyed(next);
  const rows: LockDiffRow[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort(cmp)) {
    const o = a.get(name);
    const n = b.get(name);
    if (!o && n) rows.push({ kind: "added", name, new: n });
    else if (o && !n) rows.push({ kind: "removed", name, old: o });
    else if (o && n && (!sameLockUrl(o.url, n.url) || o.ref !== n.ref || o.commit !== n.commit)) rows.push({ kind: "changed", name, old: o, new: n });
  }
  return rows;
}

const short = (c: string | undefined) => (c ? c.slice(0, 7) : "directory");

/** Rows as aligned lines: `heat  3f2a1c0 -> 9b8e7d1 (master)`. */
export function renderLockDiff(rows: readonly LockDiffRow[]): string[] {
  const width = Math.max(0, ...rows.map((r) => r.name.length));
  return rows.map((r) => {
    const name = r.name.padEnd(width);
    if (r.kind === "added") return `${name}  added ${short(r.new?.commit)} (${r.new?.ref})`;
    if (r.kind === "removed") return `${name}  removed (was ${short(r.old?.commit)}, ${r.old?.ref})`;
    const o = r.old!;
    const n = r.new!;
    const ref = o.ref === n.ref ? n.ref : `${o.ref} -> ${n.ref}`;
    const url = sameLockUrl(o.url, n.url) ? "" : `, url ${redact(o.url)} -> ${redact(n.url)}`;
    return `${name}  ${short(o.commit)} -> ${short(n.commit)} (${ref}${url})`;
  });
}

/** For --locked: every difference between the lock and the config's plugins (empty when they match). */
export function checkLocked(lock: Lock | null, all: readonly Pick<PluginSpec, "name" | "url" | "ref" | "base">[]): string[] {
  if (!lock) return ["there is no lock file"];
  const out: string[] = [];
  const base = all.find((s) => s.base);
  const specs = all.filter((s) => !s.base);
  if (base && !lock.base) out.push(`base: PLUGSTACK_BASE is ${base.url}@${base.ref} in the config but the lock has no [base]`);
  else if (!base && lock.base) out.push(`base: the lock pins ${lock.base.url}@${lock.base.ref} but the config sets no PLUGSTACK_BASE`);
  else if (base && lock.base) {
    if (!sameLockUrl(lock.base.url, base.url)) out.push(`base: url is ${base.url} in the config but ${lock.base.url} in the lock`);
    if (lock.base.ref !== base.ref) out.push(`base: ref is ${base.ref} in the config but ${lock.base.ref} in the lock`);
  }
  const names = new Set(specs.map((s) => s.name));
  for (const s of specs) {
    const e = lock.plugins.find((p) => p.name === s.name);
    if (!e) out.push(`${s.name}: enabled in the config but not in the lock`);
    else {
      if (!sameLockUrl(e.url, s.url)) out.push(`${s.name}: url is ${redact(s.url)} in the config but ${redact(e.url)} in the lock`);
      if (e.ref !== s.ref) out.push(`${s.name}: ref is ${s.ref} in the config but ${e.ref} in the lock`);
    }
  }
  for (const p of sortLock(lock).plugins) if (!names.has(p.name)) out.push(`${p.name}: in the lock but not enabled in the config`);
  return out;
}
