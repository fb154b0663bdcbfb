// The package step of a stack run: what every plugin's lists select on this
// distro, the union to install, and what is already there. Reads the lists
// (lists.ts); the installed versions are passed in (detectInstalledPackages).
import type { DistroInfo } from "./distro.ts";
import { generalPackages } from "./general.ts";
import { loadPluginPackages, type PackageEntry } from "./lists.ts";

export interface PackagePlan {
  distro: { id: string; distro: string; family: string; manager: string | null };
  /** every package any list named, with the rule that selected or dropped it, in plugin order */
  entries: PackageEntry[];
  /** selected packages, each once, in first-seen order */
  wanted: string[];
  /** wanted minus installed: what the one transaction installs */
  toInstall: string[];
  /** wanted and already installed (name -> version) */
  installed: Record<string, string>;
}

/** Builds the plan for these plugins (in run order) on this distro. */
export async function planPackages(opts: {
  plugins: { name: string; dir: string }[];
  distro: DistroInfo;
  /** installed versions (null = not installed); unknown names count as not installed */
  installed?: ReadonlyMap<string, string | null>;
  /** DevStack's general prerequisites first, in the same transaction (stack.sh's install_prereqs) */
  general?: boolean;
}): Promise<PackagePlan> {
  const entries: PackageEntry[] = opts.general ? generalPackages(opts.distro) : [];
  for (const plugin of opts.plugins) entries.push(...(await loadPluginPackages(plugin, opts.distro)));
  const wanted = [...new Set(entries.filter((e) => e.selected).map((e) => e.name))];
  const installed: Record<string, string> = {};
  const toInstall: string[] = [];
  for (const name of wanted) {
    const version = opts.installed?.get(name);
    if (version) installed[name] = version;
    else toInstall.push(name);
  }
  const d = opts.distro;
  return { distro: { id: d.id, distro: d.distro, family: d.family, manager: d.manager }, entries, wanted, toInstall, installed };
}

/** The JSON shape of `plan --json`: packages per plugin with the rule that decided each. */
export function packagePlanJson(plan: PackagePlan) {
  const plugins: { name: string; packages: Omit<PackageEntry, "plugin">[] }[] = [];
  for (const e of plan.entries) {
    let p = plugins.find((x) => x.name === e.plugin);
    if (!p) {
      p = { name: e.plugin, packages: [] };
      plugins.push(p);
    }
    const { plugin: _, ...rest } = e;
    p.packages.push(rest);
  }
  return { ...plan.distro, plugins, install: plan.toInstall, alreadyInstalled: plan.installed };
}

/** Human-readable plan: per plugin, `+` selected / `-` dropped with the rule and its file:line. */
export function renderPackagePlan(plan: PackagePlan): string {
  const d = plan.distro;
  const lines = [`Packages for ${d.distro || d.id} (${d.manager ?? "no package manager"}):`];
  const json = packagePlanJson(plan);
  if (json.plugins.length === 0) lines.push("  no plugin lists any package");
  for (const p of json.plugins) {
    lines.push(`  ${p.name}`);
    const width = Math.max(...p.packages.map((x) => x.name.length));
    for (const x of p.packages) {
      lines.push(`    ${x.selected ? "+" : "-"} ${x.name.padEnd(width)}  ${x.rule}  (${x.source}:${x.line})`);
    }
  }
  const installed = Object.keys(plan.installed);
  lines.push(plan.toInstall.length ? `  to install (${plan.toInstall.length}): ${plan.toInstall.join(" ")}` : "  nothing to install");
  if (installed.length) lines.push(`  already installed (${installed.length}): ${installed.join(" ")}`);
  return `${lines.join("\n")}\n`;
}
