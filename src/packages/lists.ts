// A plugin's package lists: devstack/files/{debs,rpms,rpms-suse}/<plugin> and
// devstack/files/bindep.txt (default profile). parsePackageList is pure;
// loadPluginPackages reads the files (a missing file is skipped silently).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { PackageError } from "../errors.ts";
import { activeRules, type BindepRule, parseBindep } from "./bindep.ts";
import type { DistroInfo } from "./distro.ts";

/** One package named by a list, and whether (and why) it is selected on this distro. */
export interface PackageEntry {
  name: string;
  plugin: string;
  /** the list file (absolute path) */
  source: string;
  line: number;
  /** the rule that decided: "listed", "NOPRIME", "dist:a,b ...", "not:a,b ...", "bindep ..." */
  rule: string;
  selected: boolean;
}

// How plugstack reads the lists differently from DevStack (the README says so too):
// - `# dist:a,b` and `# not:a,b` compare whole distro names, case-insensitively;
//   DevStack treats $DISTRO as a regular expression matched anywhere in the list,
//   so `not:f4` also dropped the package on f40 and `dist:rhel9` also matched rhel90.
// - Only the text before the first `#` names packages; DevStack takes the text
//   before the last `#` that precedes `dist:`/`not:`, so words of an earlier
//   comment became package names.
// - `dist:`/`not:` are recognised at the start of a word of the comment; DevStack
//   also matched them inside words (`# cannot:x` read as `not:x`).

const splitNames = (list: string) =>
  list
    .split(",")
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);

function findTag(comment: string, tag: "dist" | "not"): string | undefined {
  const m = new RegExp(`(?:^|[\\s#])${tag}:(\\S*)`).exec(comment);
  return m?.[1];
}

/** Every distro name the `# dist:` and `# not:` comments of a list mention, lower-cased. Pure. */
export function mentionedDistros(text: string): string[] {
  const names = new Set<string>();
  for (const raw of text.split("\n")) {
    const hash = raw.indexOf("#");
    if (hash < 0) continue;
    const comment = raw.slice(hash);
    for (const tag of ["dist", "not"] as const) for (const n of splitNames(findTag(comment, tag) ?? "")) names.add(n);
  }
  return [...names];
}

/** Parses one files/debs-style list for a distro (DevStack's DISTRO name). Pure. */
export function parsePackageList(text: string, opts: { distro: string; plugin: string; source: string }): PackageEntry[] {
  const distro = opts.distro.toLowerCase();
  const out: PackageEntry[] = [];
  text.split("\n").forEach((raw, i) => {
    const hash = raw.indexOf("#");
    const names = (hash < 0 ? raw : raw.slice(0, hash)).split(/\s+/).filter(Boolean);
    if (names.length === 0) return;
    const comment = hash < 0 ? "" : raw.slice(hash);
    let selected = true;
    let rule = "listed";
    if (raw.includes("NOPRIME")) {
      selected = false;
      rule = "NOPRIME (the plugin installs it itself)";
    } else {
      const reasons: string[] = [];
      const dist = findTag(comment, "dist");
      if (dist !== undefined) {
        const ok = splitNames(dist).includes(distro);
        selected &&= ok;
        reasons.push(`dist:${dist} ${ok ? "includes" : "does not include"} ${opts.distro}`);
      }
      const not = findTag(comment, "not");
      if (not !== undefined) {
        const hit = splitNames(not).includes(distro);
        selected &&= !hit;
        reasons.push(`not:${not} ${hit ? "includes" : "does not include"} ${opts.distro}`);
      }
      if (reasons.length) rule = reasons.join("; ");
    }
    for (const name of names) out.push({ name, plugin: opts.plugin, source: opts.source, line: i + 1, rule, selected });
  });
  return out;
}

function describeSelectors(rule: BindepRule): string {
  if (rule.selectors.length === 0) return "bindep (no selectors)";
  const items = rule.selectors.map((s) =>
    Array.isArray(s) ? `(${s.map((x) => `${x.positive ? "" : "!"}${x.name}`).join(" ")})` : `${s.positive ? "" : "!"}${s.name}`,
  );
  return `bindep [${items.join(" ")}]`;
}

/** bindep.txt entries for the default profile on this distro. Pure. */
function selectBindepEntries(rules: BindepRule[], opts: { platformAtoms: string[]; plugin: string; source: string }): PackageEntry[] {
  const active = new Set(activeRules(rules, ["default", ...opts.platformAtoms]));
  return rules.map((r) => ({
    name: r.name,
    plugin: opts.plugin,
    source: opts.source,
    line: r.line,
    rule: `${describeSelectors(r)} ${active.has(r) ? "matches" : "does not match"} the default profile on this platform`,
    selected: active.has(r),
  }));
}

/** The list directory DevStack reads on this distro family (null: DevStack has none). */
function listDirFor(distro: DistroInfo): "debs" | "rpms" | "rpms-suse" | null {
  if (distro.family === "debian") return "debs";
  if (distro.family === "redhat") return "rpms";
  if (distro.family === "suse") return "rpms-suse";
  return null;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") return undefined;
    throw new PackageError(`cannot read package list ${path}: ${(e as Error).message}`, "check the file's permissions");
  }
}

/** Reads one plugin's package list for this distro and its bindep.txt. */
export async function loadPluginPackages(plugin: { name: string; dir: string }, distro: DistroInfo): Promise<PackageEntry[]> {
  const files = join(plugin.dir, "devstack", "files");
  const entries: PackageEntry[] = [];
  const dir = listDirFor(distro);
  if (dir) {
    const source = join(files, dir, plugin.name);
    const text = await readOptional(source);
    if (text !== undefined) entries.push(...parsePackageList(text, { distro: distro.distro, plugin: plugin.name, source }));
  }
  const bindep = join(files, "bindep.txt");
  const text = await readOptional(bindep);
  if (text !== undefined) {
    const rules = parseBindep(text, bindep);
    entries.push(...selectBindepEntries(rules, { platformAtoms: distro.platformAtoms, plugin: plugin.name, source: bindep }));
  }
  return entries;
}
