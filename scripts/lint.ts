// npm run lint: biome (lint, format, import order) over the TypeScript (src, test, scripts; biome.jsonc) and
// shellcheck over every shell file in the repository (.shellcheckrc), tests
// and fixture plugins included. Prints each tool's findings and exits 1 when
// there are any. test/scripts/lint.test.ts runs the same checks in the suite.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..");

export interface LintResult {
  tool: string;
  ok: boolean;
  /** the tool's own report (stdout and stderr) */
  output: string;
}

// Files DevStack sources into bash that carry no extension and often no shebang.
const PLUGIN_BASH = /(^|\/)devstack\/(settings|override-defaults|lib\/[^/]+)$/;

/** Every shell file of the checkout: `*.sh`, plugin files DevStack sources, and extensionless scripts with a bash or sh shebang. */
export function shellFiles(root = ROOT): string[] {
  const r = Bun.spawnSync(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ls-files failed in ${root}: ${r.stderr.toString().trim()} (the lint needs a git checkout)`);
  const files = r.stdout.toString().split("\0").filter(Boolean);
  return files
    .filter((f) => {
      if (f.endsWith(".sh")) return true;
      if (PLUGIN_BASH.test(f)) return true;
      if (/\.[^/]*$/.test(f.slice(f.lastIndexOf("/") + 1))) return false;
      try {
        const head = readFileSync(join(root, f), "utf8").slice(0, 80);
        return /^#!\s*(\/usr)?\/bin\/(env\s+)?(bash|sh)\b/.test(head);
      } catch {
        return false; // deleted in the work tree, or not readable as text
      }
    })
    .sort();
}

/** shellcheck with the repository's .shellcheckrc over `files` (paths relative to `root`); null when shellcheck is not installed. */
export function runShellcheck(files: string[], root = ROOT): LintResult | null {
  const bin = Bun.which("shellcheck");
  if (!bin) return null;
  const r = Bun.spawnSync([bin, "--format=gcc", "--", ...files], { cwd: root, stdout: "pipe", stderr: "pipe" });
  return { tool: "shellcheck", ok: r.exitCode === 0, output: r.stdout.toString() + r.stderr.toString() };
}

/** `biome ci`: lint findings, formatting and import order that differ from what `npm run format` writes. */
export function runBiome(root = ROOT): LintResult {
  const r = Bun.spawnSync([join(root, "node_modules/.bin/biome"), "ci", "--colors=off"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  return { tool: "biome", ok: r.exitCode === 0, output: r.stdout.toString() + r.stderr.toString() };
}

if (import.meta.main) {
  const results = [runBiome()];
  const files = shellFiles();
  const sc = runShellcheck(files);
  if (sc) results.push(sc);
  else console.error("shellcheck is not installed: the shell files were not checked (Debian/Ubuntu: apt-get install shellcheck)");
  for (const r of results) {
    if (!r.ok) console.error(r.output.trimEnd());
    console.error(`${r.tool}: ${r.ok ? "no findings" : "findings above"}${r.tool === "shellcheck" ? ` (${files.length} files)` : ""}`);
  }
  process.exit(results.every((r) => r.ok) && sc ? 0 : 1);
}
