// Installing, removing and refreshing packages: the code path behind the
// stack's package step and the library's install_package, uninstall_package,
// update_package_repo and install_bindep (through `plugstack internal ...`).
import { resolve } from "node:path";
import type { Ctx } from "../context.ts";
import { PackageError } from "../errors.ts";
import { parseBindep } from "./bindep.ts";
import { loadBindepFile, selectBindepPackages } from "./bindep-run.ts";
import { type CommandSpec, checkPackageNames, isRoot, renderInstallCommand, renderUninstallCommand, renderUpdateRepoCommand, runCommand } from "./command.ts";
import { type DistroInfo, detectDistro, type PackageManager } from "./distro.ts";
import { detectInstalledPackages } from "./installed.ts";
import { installFromCache } from "./offline.ts";
import { type PackagePlan, planPackages } from "./plan.ts";

export { renderInstallCommand, renderUninstallCommand, renderUpdateRepoCommand } from "./command.ts";

export type PackageCtx = Pick<Ctx, "cwd" | "env" | "log" | "cacheDir" | "offline">;

export interface InstallOptions {
  dryRun?: boolean;
  /** use only the offline package cache (defaults to ctx.offline) */
  offline?: boolean;
  /** defaults to detectDistro() of this machine */
  distro?: DistroInfo;
  /** defaults to: are we root? (otherwise sudo) */
  asRoot?: boolean;
  /** skip packages that are already installed (default true) */
  skipInstalled?: boolean;
}

export interface InstallResult {
  /** packages the transaction installs (or would, in a dry run) */
  names: string[];
  /** asked for but already installed */
  alreadyInstalled: string[];
  /** the commands run (or that would run), in order */
  commands: CommandSpec[];
}

function requireManager(distro: DistroInfo): PackageManager {
  if (!distro.manager) {
    throw new PackageError(
      `no package manager known for ${distro.prettyName} (os-release ID ${distro.id || "missing"})`,
      "plugstack installs with apt-get (Debian, Ubuntu), dnf (Fedora, RHEL family) or zypper (SUSE)",
    );
  }
  return distro.manager;
}

const unique = (names: string[]) => [...new Set(names.filter(Boolean))];

/** Installs packages in ONE transaction; with dryRun, logs and returns the exact command instead. */
export async function installPackages(ctx: PackageCtx, names: string[], opts: InstallOptions = {}): Promise<InstallResult> {
  const wanted = unique(names);
  checkPackageNames(wanted);
  const distro = opts.distro ?? (await detectDistro());
  const manager = requireManager(distro);
  let todo = wanted;
  const alreadyInstalled: string[] = [];
  if (opts.skipInstalled !== false && distro.query && wanted.length) {
    const versions = await detectInstalledPackages(distro.query, wanted, ctx.env);
    todo = wanted.filter((n) => !versions.get(n));
    alreadyInstalled.push(...wanted.filter((n) => versions.get(n)));
  }
  if (todo.length === 0) {
    if (wanted.length) ctx.log.info(`packages already installed: ${wanted.join(" ")}`);
    return { names: [], alreadyInstalled, commands: [] };
  }
  const asRoot = opts.asRoot ?? isRoot();
  if (opts.offline ?? ctx.offline) {
    const commands = await installFromCache(ctx, todo, { distro, asRoot, dryRun: opts.dryRun });
    return { names: todo, alreadyInstalled, commands };
  }
  const command = renderInstallCommand(manager, todo, { asRoot });
  if (opts.dryRun) {
    ctx.log.info(`would run: ${command.text}`);
  } else {
    ctx.log.info(`installing ${todo.length} package${todo.length > 1 ? "s" : ""}: ${todo.join(" ")}`);
    await runCommand(ctx, command);
  }
  return { names: todo, alreadyInstalled, commands: [command] };
}

/** Removes packages (apt-get purge / dnf remove / zypper remove); not-installed ones are skipped. */
export async function uninstallPackages(
  ctx: PackageCtx,
  names: string[],
  opts: Omit<InstallOptions, "offline" | "skipInstalled"> = {},
): Promise<InstallResult> {
  const wanted = unique(names);
  checkPackageNames(wanted);
  const distro = opts.distro ?? (await detectDistro());
  const manager = requireManager(distro);
  let todo = wanted;
  if (distro.query && wanted.length) {
    const versions = await detectInstalledPackages(distro.query, wanted, ctx.env);
    todo = wanted.filter((n) => versions.get(n));
  }
  if (todo.length === 0) return { names: [], alreadyInstalled: [], commands: [] };
  const command = renderUninstallCommand(manager, todo, { asRoot: opts.asRoot ?? isRoot() });
  if (opts.dryRun) ctx.log.info(`would run: ${command.text}`);
  else await runCommand(ctx, command);
  return { names: todo, alreadyInstalled: [], commands: [command] };
}

/** Refreshes the package index; does nothing offline (as DevStack's update_package_repo with OFFLINE=True). */
export async function updatePackageRepo(ctx: PackageCtx, opts: Omit<InstallOptions, "skipInstalled"> = {}): Promise<CommandSpec | null> {
  if (opts.offline ?? ctx.offline) {
    ctx.log.debug("offline: not refreshing the package index");
    return null;
  }
  const distro = opts.distro ?? (await detectDistro());
  const command = renderUpdateRepoCommand(requireManager(distro), { asRoot: opts.asRoot ?? isRoot() });
  if (opts.dryRun) ctx.log.info(`would run: ${command.text}`);
  else await runCommand(ctx, command);
  return command;
}

/**
 * DevStack's install_bindep FILE [PROFILES]: installs what the bindep file
 * asks for on this platform with these profiles (default: "default").
 */
export async function installBindepFile(ctx: PackageCtx, file: string, opts: InstallOptions & { profiles?: string[] } = {}): Promise<InstallResult> {
  const path = resolve(ctx.cwd, file);
  const loaded = await loadBindepFile({ cwd: ctx.cwd, file: path }).catch(() => null);
  if (!loaded) {
    // DevStack warns and carries on
    ctx.log.warn(`Can not find bindep file: ${path}`);
    return { names: [], alreadyInstalled: [], commands: [] };
  }
  const rules = parseBindep(loaded.text, loaded.path);
  const distro = opts.distro ?? (await detectDistro());
  const profiles = opts.profiles?.length ? opts.profiles : ["default"];
  return installPackages(ctx, selectBindepPackages(rules, distro, profiles), { ...opts, distro });
}

/** planPackages with the installed versions asked from this machine's package database. */
export async function detectPackagePlan(
  ctx: PackageCtx,
  plugins: { name: string; dir: string }[],
  distro?: DistroInfo,
  opts: { general?: boolean } = {},
): Promise<PackagePlan> {
  const d = distro ?? (await detectDistro());
  const draft = await planPackages({ plugins, distro: d, general: opts.general });
  if (!d.query || draft.wanted.length === 0) return draft;
  const installed = await detectInstalledPackages(d.query, draft.wanted, ctx.env);
  return planPackages({ plugins, distro: d, installed, general: opts.general });
}
