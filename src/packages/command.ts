// Package-manager command lines (pure) and the one runner for them.
import type { Ctx } from "../context.ts";
import { PackageError } from "../errors.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import { shellQuote } from "../util/quote.ts";
import type { PackageManager } from "./distro.ts";

export interface CommandSpec {
  argv: string[];
  /** variables set for the command (on top of the caller's environment) */
  env: Record<string, string>;
  /** the exact command as a shell line, for --dry-run and messages */
  text: string;
}

/** A word of the shown command line: a plain word as it is, anything else quoted by the audited helper. */
function displayWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./~^-]+$/.test(word) ? word : shellQuote(word);
}

export function makeCommand(argv: string[], env: Record<string, string> = {}): CommandSpec {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${displayWord(v)}`);
  return { argv, env, text: [...assignments, ...argv.map(displayWord)].join(" ") };
}

// Package names (and name=version, name:arch) as the installers take them; never an option.
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9.+_:~=/@-]*$/;

export function checkPackageNames(names: string[]): void {
  const bad = names.filter((n) => !PACKAGE_NAME.test(n));
  if (bad.length) {
    throw new PackageError(
      `invalid package name${bad.length > 1 ? "s" : ""}: ${bad.map((b) => JSON.stringify(b)).join(", ")}`,
      "package names start with a letter or digit and contain only letters, digits and . + _ : ~ = / @ -",
    );
  }
}

// DPkg::Lock::Timeout: wait (up to 5 minutes) for another apt or dpkg, such as
// unattended-upgrades, instead of failing at once on its lock
export const APT_OPTS = ["-y", "-o", "Dpkg::Options::=--force-confold", "-o", "DPkg::Lock::Timeout=300"];
export const APT_ENV = { DEBIAN_FRONTEND: "noninteractive" };

export function withPrivileges(argv: string[], env: Record<string, string>, asRoot: boolean): CommandSpec {
  if (asRoot) return makeCommand(argv, env);
  // sudo -E keeps DEBIAN_FRONTEND for apt-get; the others need no variables
  const sudo = Object.keys(env).length ? ["sudo", "-E"] : ["sudo"];
  return makeCommand([...sudo, ...argv], env);
}

function unsupported(manager: PackageManager): never {
  throw new PackageError(
    `plugstack installs packages with apt-get, dnf or zypper; this distro uses ${manager}`,
    "install the packages by hand, or run plugstack on a Debian, Ubuntu, Fedora, RHEL-family or SUSE machine",
  );
}

/** What each installer runs for an action, before the package names. */
const ACTIONS: Record<"install" | "uninstall" | "update", Partial<Record<PackageManager, string[]>>> = {
  install: { "apt-get": ["apt-get", ...APT_OPTS, "install"], dnf: ["dnf", "install", "-y"], zypper: ["zypper", "--non-interactive", "install"] },
  uninstall: { "apt-get": ["apt-get", ...APT_OPTS, "purge"], dnf: ["dnf", "remove", "-y"], zypper: ["zypper", "--non-interactive", "remove"] },
  update: { "apt-get": ["apt-get", "update"], dnf: ["dnf", "makecache"], zypper: ["zypper", "--non-interactive", "refresh"] },
};

function renderManagerCommand(manager: PackageManager, action: keyof typeof ACTIONS, names: string[], asRoot: boolean): CommandSpec {
  checkPackageNames(names);
  const argv = ACTIONS[action][manager];
  if (!argv) return unsupported(manager);
  return withPrivileges([...argv, ...names], manager === "apt-get" ? APT_ENV : {}, asRoot);
}

/** The one-transaction install command (apt-get keeps changed config files: --force-confold). */
export function renderInstallCommand(manager: PackageManager, names: string[], opts: { asRoot: boolean }): CommandSpec {
  return renderManagerCommand(manager, "install", names, opts.asRoot);
}

/** Removal, as DevStack's uninstall_package (apt-get purge, dnf remove, zypper remove). */
export function renderUninstallCommand(manager: PackageManager, names: string[], opts: { asRoot: boolean }): CommandSpec {
  return renderManagerCommand(manager, "uninstall", names, opts.asRoot);
}

/** Refreshing the package index (apt-get update, dnf makecache, zypper refresh). */
export function renderUpdateRepoCommand(manager: PackageManager, opts: { asRoot: boolean }): CommandSpec {
  return renderManagerCommand(manager, "update", [], opts.asRoot);
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Runs a command; its output goes to the log at debug level (visible with
 * -v). A failure is a PackageError with the command and its last lines.
 */
export async function runCommand(ctx: Pick<Ctx, "env" | "log" | "cwd">, spec: CommandSpec): Promise<void> {
  const execa = await loadExeca();
  ctx.log.debug(`running: ${spec.text}`);
  const tail: string[] = [];
  const child = execa(spec.argv[0]!, spec.argv.slice(1), {
    cwd: ctx.cwd,
    env: { ...ctx.env, ...spec.env },
    extendEnv: false,
    stdin: "ignore",
    all: true,
    reject: false,
    buffer: false,
  });
  for await (const line of child.iterable({ from: "all" })) {
    ctx.log.debug(line);
    tail.push(line);
    if (tail.length > 25) tail.shift();
  }
  const r = await child;
  if (r.exitCode === 0) return;
  const why = r.exitCode === undefined ? r.shortMessage : `exit status ${r.exitCode}`;
  throw new PackageError(
    `${spec.text} failed (${why})${tail.length ? `:\n${tail.join("\n")}` : ""}`,
    r.exitCode === undefined ? `is ${spec.argv[0]} installed?` : "see the output above; run with -v for all of it",
  );
}
