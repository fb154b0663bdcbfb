// `plugstack bindep`: bindep's command, natively. Finds the file as bindep
// does, evaluates it for the platform and the given profiles, asks the
// package database, and returns bindep's output text and exit status.
//
// Differences from the bindep command, on purpose: a parse error exits 2 and
// names file:line:col (bindep prints a Python traceback and exits 1); a missing
// or ambiguous requirements file is a usage error, exit 2, reported on stderr
// (bindep prints it on stdout and exits 1). Everything else (text, order,
// exit 0 when nothing is missing, 1 when something is) is bindep's.
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { PackageError, UsageError } from "../errors.ts";
import {
  activeRules,
  type BadVersion,
  type BindepRule,
  checkRules,
  parseBindep,
  renderBindepCheck,
  renderBindepList,
  renderBindepProfiles,
  userProfiles,
} from "./bindep.ts";
import { type DistroInfo, detectDistro } from "./distro.ts";
import { detectInstalledPackages } from "./installed.ts";

export interface BindepFile {
  /** the path as given or found (bindep's own spelling, for messages) */
  path: string;
  text: string;
}

const isFile = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** bindep's lookup: `-` is stdin; a named file; else bindep.txt, else other-requirements.txt (not both). */
export async function loadBindepFile(opts: { cwd: string; file?: string; readStdin?: () => Promise<string> }): Promise<BindepFile> {
  const { cwd, file } = opts;
  if (file === "-") {
    const read = opts.readStdin ?? (() => Bun.stdin.text());
    return { path: "<stdin>", text: await read() };
  }
  if (file) {
    const text = await readFile(resolve(cwd, file), "utf8").catch(() => undefined);
    if (text === undefined) {
      throw new UsageError(`Error reading file ${file}.`, `no readable file ${resolve(cwd, file)}; pass an existing bindep file with -f`);
    }
    return { path: file, text };
  }
  const [hasBindep, hasOther] = await Promise.all([isFile(resolve(cwd, "bindep.txt")), isFile(resolve(cwd, "other-requirements.txt"))]);
  if (hasBindep && hasOther) {
    throw new UsageError(
      "Both bindep.txt and other-requirements.txt files exist, choose one.",
      `in ${cwd}: remove one of them, or name the one to use with -f`,
    );
  }
  if (!hasBindep && !hasOther) {
    throw new UsageError(
      "Neither file bindep.txt nor file other-requirements.txt exist.",
      `looked in ${cwd}; run where the project's bindep.txt is, or pass -f FILE`,
    );
  }
  const name = hasBindep ? "bindep.txt" : "other-requirements.txt";
  return { path: name, text: await readFile(resolve(cwd, name), "utf8") };
}

export interface BindepRunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  file?: string;
  readStdin?: () => Promise<string>;
  brief?: boolean;
  listAll?: "newline" | "csv";
  showProfiles?: boolean;
  /** profiles given on the command line; none means ["default"] */
  profiles?: string[];
  /** defaults to detectDistro() of this machine */
  distro?: DistroInfo;
  /** installed version lookup; defaults to the distro's package database */
  installed?: (names: string[]) => Promise<Map<string, string | null>>;
}

export interface BindepRunResult {
  /** exactly what bindep prints on stdout */
  stdout: string;
  /** 0: nothing missing; 1: something missing or at a bad version */
  exitCode: 0 | 1;
  rules: BindepRule[];
  /** the file as named (bindep's spelling) */
  file: string;
  /** this machine's platform profiles */
  platform: string[];
  /** the profiles matched (given, or ["default"]); with --profiles, the file's own */
  profiles: string[];
  /** package names selected for this platform and profiles, in file order */
  packages: string[];
  /** missing packages (check mode only) */
  missing: string[];
  badVersions: BadVersion[];
}

/** Runs bindep on a file; throws BindepParseError (exit 2), UsageError (exit 2) or PackageError. */
export async function runBindep(opts: BindepRunOptions): Promise<BindepRunResult> {
  const file = await loadBindepFile(opts);
  const rules = parseBindep(file.text, file.path);
  const distro = opts.distro ?? (await detectDistro());
  const base = { file: file.path, platform: distro.platformAtoms, missing: [] as string[], badVersions: [] as BadVersion[] };
  if (opts.showProfiles) {
    const own = userProfiles(rules);
    return { ...base, stdout: renderBindepProfiles(distro.platformAtoms, own), exitCode: 0, rules, profiles: own, packages: [] };
  }
  const given = opts.profiles?.length ? opts.profiles : ["default"];
  const active = activeRules(rules, [...given, ...distro.platformAtoms]);
  const packages = [...new Set(active.map((r) => r.name))];
  const common = { ...base, rules: active, profiles: given, packages };
  if (opts.listAll) return { ...common, stdout: renderBindepList(active, opts.listAll), exitCode: 0 };
  const installed = await lookupInstalled(active, distro, opts);
  const check = checkRules(active, (name) => installed.get(name) ?? null, distro.versionScheme);
  const failed = check.missing.length > 0 || check.badVersions.length > 0;
  return { ...common, stdout: renderBindepCheck(check, !!opts.brief), exitCode: failed ? 1 : 0, missing: check.missing, badVersions: check.badVersions };
}

async function lookupInstalled(rules: BindepRule[], distro: DistroInfo, opts: BindepRunOptions) {
  const names = [...new Set(rules.map((r) => r.name))];
  if (opts.installed) return opts.installed(names);
  if (names.length === 0) return new Map<string, string | null>();
  if (!distro.query) {
    throw new PackageError(
      `no package manager known for ${distro.prettyName} (os-release ID ${distro.id || "missing"}): cannot tell which packages are installed`,
      "bindep --profiles and -l newline still work here; supported: dpkg, rpm, pacman, emerge and apk systems",
    );
  }
  return detectInstalledPackages(distro.query, names, opts.env);
}

/** The packages a bindep file asks for on this platform with these profiles (the `-b -l newline` list, deduplicated). */
export function selectBindepPackages(rules: BindepRule[], distro: DistroInfo, profiles: string[] = ["default"]): string[] {
  return [...new Set(activeRules(rules, [...profiles, ...distro.platformAtoms]).map((r) => r.name))];
}
