// `plugstack check`: lints a plugin directory. Each rule reads the files the
// way the runtime does (order.ts for settings, lists.ts for package lists,
// bindep.ts for bindep.txt, the embedded library for function names), so a
// finding here is what a stack run would trip over.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { PlugstackError } from "../errors.ts";
import { BINDEP_LINE_HINT, parseBindepLines } from "../packages/bindep.ts";
import { mentionedDistros, parsePackageList } from "../packages/lists.ts";
import { libraryFiles } from "../shell/index.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import { closestWords } from "../util/suggest.ts";
import { DEVSTACK_FUNCTIONS } from "./devstack-functions.generated.ts";
import { commandWords, definedFunctions } from "./lint-bash.ts";
import { scanSettings } from "./order.ts";
import { lookupPlugin } from "./registry.ts";

export interface Finding {
  /** absolute path */
  file: string;
  line: number;
  column?: number;
  /** bash-syntax, define-plugin, plugin-requires, devstack-function, typo, package-list, bindep, shellcheck */
  rule: string;
  message: string;
  hint?: string;
}

export interface LintOptions {
  /** the plugin's root (the directory holding devstack/) */
  dir: string;
  /** the enable_plugin name to expect (default: the directory's name) */
  name?: string;
  /** plugins enabled in the config, when one was given */
  enabled?: readonly string[];
  env: Record<string, string | undefined>;
}

export interface LintReport {
  name: string;
  /** bash files checked, relative to dir */
  bashFiles: string[];
  shellcheck: "ran" | "not installed";
  findings: Finding[];
}

const PACKAGE_DIRS = ["debs", "rpms", "rpms-suse"];
const KNOWN_BASH = new Set(["settings", "plugin.sh", "override-defaults"]);
/** distro family words: never a DevStack DISTRO value (those are releases: jammy, noble, bookworm, f40, rhel9) */
const FAMILY_WORDS = new Set(["ubuntu", "debian", "fedora", "centos", "rhel", "rocky", "redhat", "suse", "opensuse", "sles"]);
/** another distro than any a list names: a list's rules only compare names */
const OTHER_DISTRO = "\u0000other";
/** variables are shared with DevStack and other plugins (SC2034 unused, SC2154 unassigned): not findings here */
const SHELLCHECK_EXCLUDE = "SC2034,SC2154";

function walk(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = join(dir, n);
    const st = statSync(p, { throwIfNoEntry: false });
    return st?.isDirectory() ? walk(p) : st?.isFile() ? [p] : [];
  });
}

function isBashFile(devstack: string, path: string): boolean {
  const rel = relative(devstack, path).split("/");
  if (rel[0] === "files" && (PACKAGE_DIRS.includes(rel[1] ?? "") || rel[1] === "bindep.txt")) return false;
  const name = rel.at(-1)!;
  if (rel.length === 1 && KNOWN_BASH.has(name)) return true;
  if (name.endsWith(".sh")) return true;
  if (rel[0] === "lib" && !name.includes(".")) return true;
  const head = readFileSync(path, "utf8").slice(0, 80);
  return /^#!.*\b(ba)?sh\b/.test(head);
}

async function bashSyntax(files: string[]): Promise<Finding[]> {
  const execa = await loadExeca();
  const out: Finding[] = [];
  for (const file of files) {
    const r = await execa("bash", ["-n", "--", file], { reject: false, stdin: "ignore" });
    for (const l of String(r.stderr).split("\n")) {
      const m = /^.*?: line (\d+): (.*)$/.exec(l);
      // bash echoes the offending source text on a line of its own: "line N: `text'"
      if (m && !m[2]!.startsWith("`"))
        out.push({ file, line: Number(m[1]), rule: "bash-syntax", message: m[2]!, hint: "bash -n reports it; the file cannot be sourced" });
    }
  }
  return out;
}

function settingsRules(dir: string, name: string, enabled: readonly string[] | undefined): Finding[] {
  const file = join(dir, "devstack", "settings");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const scan = scanSettings(text);
  const out: Finding[] = [];
  if (scan.defineLines.length === 0) {
    out.push({ file, line: 1, rule: "define-plugin", message: "no define_plugin line", hint: `add "define_plugin ${name}" so tools know the plugin's name` });
  }
  for (const d of scan.defineLines) {
    if (d.name !== name) {
      out.push({
        file,
        line: d.line,
        rule: "define-plugin",
        message: `define_plugin ${d.name} does not match the plugin's name ${name}`,
        hint: `users enable it as "enable_plugin ${name} ..."; write define_plugin ${name}, or pass --name when the enable name differs from the directory`,
      });
    }
  }
  if (enabled) {
    const own = new Set([name, ...scan.defines]);
    for (const r of scan.requires) {
      if (!own.has(r.plugin) || enabled.includes(r.required)) continue;
      const known = lookupPlugin(r.required);
      out.push({
        file,
        line: r.line,
        rule: "plugin-requires",
        message: `plugin_requires ${r.plugin} ${r.required}: ${r.required} is not enabled in the config`,
        hint: known ? `add it first: plugstack add ${r.required} (${known.url})` : `add "enable_plugin ${r.required} URL" before ${name} in [[local|localrc]]`,
      });
    }
  }
  return out;
}

/** The public functions the embedded library defines (what a misspelt command is compared with). */
export function libraryFunctionNames(): Set<string> {
  return new Set(libraryFiles.flatMap((f) => definedFunctions(f.text).map((d) => d.word)));
}

async function functionRules(files: string[], texts: Map<string, string>, env: LintOptions["env"]): Promise<Finding[]> {
  const execa = await loadExeca();
  const library = libraryFunctionNames();
  const own = new Set([...texts.values()].flatMap((t) => definedFunctions(t).map((d) => d.word)));
  const builtins = new Set(String((await execa("bash", ["-c", "compgen -b; compgen -k"], { reject: false, stdin: "ignore" })).stdout).split("\n"));
  const devstack = new Map(DEVSTACK_FUNCTIONS.map(([n, f]) => [n, f]));
  const onPath = new Map<string, boolean>();
  const out: Finding[] = [];
  for (const file of files) {
    const seen = new Set<string>();
    for (const { word, line } of commandWords(texts.get(file) ?? "")) {
      if (library.has(word) || own.has(word) || builtins.has(word) || seen.has(word)) continue;
      seen.add(word);
      const where = devstack.get(word);
      if (where) {
        out.push({
          file,
          line,
          rule: "devstack-function",
          message: `${word} is a DevStack function (${where}) that plugstack's library does not define`,
          hint: 'the call fails with "command not found" unless the stack runs DevStack itself (PLUGSTACK_BASE) or the plugin defines it',
        });
        continue;
      }
      if (!onPath.has(word)) onPath.set(word, Bun.which(word, { PATH: env.PATH ?? "" }) !== null);
      if (onPath.get(word) || (word.length < 6 && !word.includes("_"))) continue;
      const near = closestWords(word, library, 3);
      if (near.length)
        out.push({
          file,
          line,
          rule: "typo",
          message: `${word} is not defined by the plugin, the library or DevStack`,
          hint: `did you mean ${near.join(", ")}?`,
        });
    }
  }
  return out;
}

function packageListRules(dir: string, name: string): Finding[] {
  const out: Finding[] = [];
  for (const sub of PACKAGE_DIRS) {
    for (const file of walk(join(dir, "devstack", "files", sub))) {
      const text = readFileSync(file, "utf8");
      if (basename(file) !== name) {
        const has = parsePackageList(text, { distro: OTHER_DISTRO, plugin: name, source: file }).length > 0;
        if (has)
          out.push({
            file,
            line: 1,
            rule: "package-list",
            message: `files/${sub}/${basename(file)} is never read: DevStack and plugstack read files/${sub}/${name}`,
            hint: `rename it to devstack/files/${sub}/${name}`,
          });
        continue;
      }
      const candidates = [...mentionedDistros(text).filter((d) => !FAMILY_WORDS.has(d)), OTHER_DISTRO];
      const ever = new Map<number, { names: string[]; selected: boolean; noprime: boolean }>();
      for (const distro of candidates) {
        for (const e of parsePackageList(text, { distro, plugin: name, source: file })) {
          const row = ever.get(e.line) ?? { names: [], selected: false, noprime: e.rule.startsWith("NOPRIME") };
          if (!row.names.includes(e.name)) row.names.push(e.name);
          row.selected ||= e.selected;
          ever.set(e.line, row);
        }
      }
      const lines = text.split("\n");
      for (const [line, row] of ever) {
        if (row.selected || row.noprime) continue;
        const comment = lines[line - 1]!.slice(lines[line - 1]!.indexOf("#")).trim();
        const family = mentionedDistros(comment).filter((d) => FAMILY_WORDS.has(d));
        out.push({
          file,
          line,
          rule: "package-list",
          message: `${row.names.join(" ")} can never be installed: no distro passes "${comment}"`,
          hint: family.length
            ? `${family.join(", ")} is a family; DevStack's DISTRO is a release name such as noble, jammy, bookworm, f40 or rhel9`
            : "fix the dist:/not: lists, or remove the line",
        });
      }
    }
  }
  return out;
}

function bindepRules(dir: string): Finding[] {
  const file = join(dir, "devstack", "files", "bindep.txt");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return parseBindepLines(text).errors.map((e) => ({ file, line: e.line, column: e.column, rule: "bindep", message: e.message, hint: BINDEP_LINE_HINT }));
}

async function shellcheckRules(files: string[], env: LintOptions["env"]): Promise<Finding[] | null> {
  const execa = await loadExeca();
  const bin = Bun.which("shellcheck", { PATH: env.PATH ?? "" });
  if (!bin || files.length === 0) return bin ? [] : null;
  const r = await execa(bin, ["--format=json1", "--shell=bash", "--severity=warning", `--exclude=${SHELLCHECK_EXCLUDE}`, "--", ...files], {
    reject: false,
    stdin: "ignore",
  });
  let parsed: { comments?: { file: string; line: number; column: number; level: string; code: number; message: string }[] };
  try {
    parsed = JSON.parse(String(r.stdout));
  } catch {
    throw new PlugstackError(
      `shellcheck failed (exit status ${r.exitCode}): ${String(r.stderr).trim() || "no output"}`,
      "run shellcheck on the files by hand to see why",
    );
  }
  return (parsed.comments ?? []).map((c) => ({
    file: c.file,
    line: c.line,
    column: c.column,
    rule: "shellcheck",
    message: `SC${c.code} (${c.level}): ${c.message}`,
    hint: `https://www.shellcheck.net/wiki/SC${c.code}`,
  }));
}

/** Lints the plugin in opts.dir; findings sorted by file and line. */
export async function lintPlugin(opts: LintOptions): Promise<LintReport> {
  const devstack = join(opts.dir, "devstack");
  if (!statSync(devstack, { throwIfNoEntry: false })?.isDirectory()) {
    throw new PlugstackError(
      `${opts.dir} has no devstack/ directory, so it is not a DevStack plugin`,
      "run check in the plugin's root, or pass its directory: plugstack check DIR",
    );
  }
  const name = opts.name ?? basename(opts.dir);
  const bash = walk(devstack).filter((f) => isBashFile(devstack, f));
  const texts = new Map(bash.map((f) => [f, readFileSync(f, "utf8")]));
  const shellcheck = await shellcheckRules(bash, opts.env);
  const findings = [
    ...(await bashSyntax(bash)),
    ...settingsRules(opts.dir, name, opts.enabled),
    ...(await functionRules(bash, texts, opts.env)),
    ...packageListRules(opts.dir, name),
    ...bindepRules(opts.dir),
    ...(shellcheck ?? []),
  ].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.column ?? 0) - (b.column ?? 0)));
  return { name, bashFiles: bash.map((f) => relative(opts.dir, f)), shellcheck: shellcheck ? "ran" : "not installed", findings };
}
