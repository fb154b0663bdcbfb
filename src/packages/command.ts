// Package-manager command lines (pure) and the one runner for them.
import { execa } from "execa";
import type { Ctx } from "../context.ts";
import { PackageError } from "../errors.ts";
import type { PackageManager } from "./distro.ts";

export interface CommandSpec {
  argv: string[];
  /** variables set for the command (on top of the caller's environment) */
  env: Record<string, string>;
  /** the exact command as a shell line, for --dry-run and messages */
  text: string;
}

/** Quotes a word for display as a POSIX shell word. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./~^-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function makeCommand(argv: string[], env: Record<string, string> = {}): CommandSpec {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return { argv, env, text: [...assignments, ...argv.map(shellQuote)].join(" ") };
}

// Package names (and name=version, name:arch) as the installers take them; never an option.
const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9.+_:~=\/@-]*$/;

export function checkPackageNames(names: string[]): void {
  const bad = names.filter((n) => !PACKAGE_NAME.test(n));
  if (bad.length) {
    throw new PackageError(
      `invalid package name${bad.length > 1 ? "s" : ""}: ${bad.map((b) => JSON.stringify(b)).join(", ")}`,
      "package names start with a letter or digit and contain only letters, digits and . + _ : ~ = / @ -",
    );
  }
}

export const APT_OPTS = ["-y", "-o", "Dpkg::Options::=--force-confold"];
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

/** The one-transaction install command (apt-get keeps changed config files: --force-confold). */
export function renderInstallCommand(manager: PackageManager, names: string[], opts: { asRoot: boolean }): CommandSpec {
  checkPackageNames(names);
  if (manager === "apt-get") return withPrivileges(["apt-get", ...APT_OPTS, "install", ...names], APT_ENV, opts.asRoot);
  if (manager === "dnf") return withPrivileges(["dnf", "install", "-y", ...names], {}, opts.asRoot);
  if (manager === "zypper") return withPrivileges(["zypper", "--non-interactive", "install", ...names], {}, opts.asRoot);
  return unsupported(manager);
}

/** Removal, as DevStack's uninstall_package (apt-get purge, dnf remove, zypper remove). */
export function renderUninstallCommand(manager: PackageManager, names: string[], opts: { asRoot: boolean }): CommandSpec {
  checkPackageNames(names);
  if (manager === "apt-get") return withPrivileges(["apt-get", ...APT_OPTS, "purge", ...names], APT_ENV, opts.asRoot);
  if (manager === "dnf") return withPrivileges(["dnf", "remove", "-y", ...names], {}, opts.asRoot);
  if (manager === "zypper") return withPrivileges(["zypper", "--non-interactive", "remove", ...names], {}, opts.asRoot);
  return unsupported(manager);
}

/** Refreshing the package index (apt-get update, dnf makecache, zypper refresh). */
export function renderUpdateRepoCommand(manager: PackageManager, opts: { asRoot: boolean }): CommandSpec {
  if (manager === "apt-get") return withPrivileges(["apt-get", "update"], APT_ENV, opts.asRoot);
  if (manager === "dnf") return withPrivileges(["dnf", "makecache"], {}, opts.asRoot);
  if (manager === "zypper") return withPrivileges(["zypper", "--non-interactive", "refresh"], {}, opts.asRoot);
  return unsupported(manager);
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Runs a command; its output goes to the log at debug level (visible with
 * -v). A failure is a PackageError with the command and its last lines.
 */
export async function runCommand(ctx: Pick<Ctx, "env" | "log" | "cwd">, spec: CommandSpec): Promise<void> {
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
