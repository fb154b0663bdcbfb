// Which packages are installed, and at which version: asks the package
// database the way bindep does (dpkg-query, rpm, pacman, equery, apk).
import { PackageError } from "../errors.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import { pool } from "../util/pool.ts";
import type { QueryTool } from "./platform.ts";

const DPKG_FORMAT = "${Package} ${Status} ${Version}\n";
const RPM_FORMAT = "%{NAME} %|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}\n";

interface Probe {
  argv: (name: string) => string[];
  /** null when the tool says "not installed"; undefined when it failed otherwise */
  notInstalled: (exitCode: number, output: string) => boolean;
  version: (output: string, name: string) => string | null;
}

const PROBES: Record<QueryTool, Probe> = {
  dpkg: {
    argv: (name) => ["dpkg-query", "-W", "-f", DPKG_FORMAT, name],
    notInstalled: (code, out) => code === 1 && (out.startsWith("dpkg-query: no packages found") || out.startsWith("No packages found matching")),
    // "name want ok status version": only status "installed" counts
    version: (out) => {
      const fields = (out.trim().split("\n")[0] ?? "").split(" ");
      return fields[3] === "installed" ? (fields[4] ?? null) : null;
    },
  },
  rpm: {
    argv: (name) => ["rpm", "--qf", RPM_FORMAT, "--whatprovides", "-q", name],
    notInstalled: (code, out) => code === 1 && (out.trim().endsWith("is not installed") || out.trim().startsWith("no package provides")),
    version: (out) => (out.trim().split("\n")[0] ?? "").split(" ")[1] ?? null,
  },
  pacman: {
    argv: (name) => ["pacman", "-Q", name],
    notInstalled: (code, out) => code === 1 && out.trim().endsWith("was not found"),
    version: (out) => out.trim().split(" ")[1] ?? null,
  },
  emerge: {
    argv: (name) => ["equery", "l", "--format=$version", name],
    notInstalled: (code) => code === 3,
    version: (out) => out.trim().split(" ")[0] || null,
  },
  apk: {
    argv: (name) => ["apk", "info", "--installed", "-v", name],
    notInstalled: (code, out) => code === 1 || out.trim() === "",
    version: (out, name) => {
      const line = out.trim().split("\n")[0] ?? "";
      return line.startsWith(`${name}-`) ? line.slice(name.length + 1) : null;
    },
  },
};

/** The installed version of one package, or null when it is not installed. */
async function detectInstalledVersion(query: QueryTool, name: string, env?: Record<string, string | undefined>): Promise<string | null> {
  const execa = await loadExeca();
  const probe = PROBES[query];
  const argv = probe.argv(name);
  // C locale: the "not installed" messages are matched in English
  const r = await execa(argv[0]!, argv.slice(1), {
    reject: false,
    all: true,
    env: { ...(env ?? process.env), LC_ALL: "C" },
    extendEnv: false,
    stdin: "ignore",
  });
  const output = r.all ?? "";
  if (r.exitCode === 0) return probe.version(r.stdout, name);
  if (r.exitCode !== undefined && probe.notInstalled(r.exitCode, output)) return null;
  throw new PackageError(
    `could not ask ${argv[0]} whether ${name} is installed: ${argv.join(" ")} failed (${r.failed && r.exitCode === undefined ? r.shortMessage : `exit ${r.exitCode}`})${output ? `: ${output.trim()}` : ""}`,
    `is ${argv[0]} installed and working on this machine?`,
  );
}

/** Installed versions of many packages (each asked separately, a few at a time). */
export async function detectInstalledPackages(
  query: QueryTool,
  names: Iterable<string>,
  env?: Record<string, string | undefined>,
): Promise<Map<string, string | null>> {
  const unique = [...new Set(names)];
  const results = await pool(unique, 8, (name) => detectInstalledVersion(query, name, env));
  const out = new Map<string, string | null>();
  results.forEach((r, i) => {
    if (r.status === "rejected") throw r.reason;
    out.set(unique[i]!, r.value);
  });
  return out;
}
