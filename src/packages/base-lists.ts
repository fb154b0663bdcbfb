// DevStack's own package lists, for a stack with the DevStack base: what
// stack.sh's `install_package $(get_packages general,$ENABLED_SERVICES)`
// installs. Computed by DevStack's own get_packages from the base checkout
// (files/debs or files/rpms: general, each enabled service's list and the
// lists DevStack pulls in for it), in a throwaway bash, so the answer is
// DevStack's, including its own reading of `# dist:` and NOPRIME.
import { PackageError } from "../errors.ts";
import { loadExeca } from "../util/execa-lazy.ts";
import { checkPackageNames } from "./command.ts";

const GET_PACKAGES = `
TOP_DIR=$1 FILES=$1/files
source "$TOP_DIR/functions" >/dev/null || exit 3
get_packages "$2"
`;

/** The packages DevStack's own lists select on this machine for `general` plus `services`. */
export async function listBasePackages(opts: { baseDir: string; services: string[] }): Promise<string[]> {
  const execa = await loadExeca();
  const services = ["general", ...opts.services.filter((s) => s && s !== "general")].join(",");
  const r = await execa("bash", ["-c", GET_PACKAGES, "get-packages", opts.baseDir, services], {
    reject: false,
    stdin: "ignore",
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" },
    extendEnv: false,
  });
  if (r.exitCode !== 0) {
    throw new PackageError(
      `DevStack's get_packages (from ${opts.baseDir}/functions) failed with status ${r.exitCode}: ${String(r.stderr).trim().split("\n").slice(-3).join(" / ") || String(r.stdout).trim()}`,
      "is the base a DevStack tree for a distro DevStack supports (files/debs or files/rpms)?",
    );
  }
  const names = [...new Set(String(r.stdout).split(/\s+/).filter(Boolean))];
  checkPackageNames(names);
  return names;
}
