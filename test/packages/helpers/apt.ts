// Shared checks for the tests that run the real apt-get: are we able to, and which tiny package to use.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { networkSkipReason } from "../../helpers/network.ts";

const run = (argv: string[]) => Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", env: { ...process.env, LC_ALL: "C" } });
const installed = (name: string) => run(["dpkg-query", "-W", "-f", "${Status}", name]).stdout.toString().endsWith(" installed");

/**
 * A small package that is not installed here and that apt knows (and, with
 * `download`, can download: that reaches the distro's archive, so it needs
 * PLUGSTACK_TEST_NETWORK=1); or the reason the apt tests must be skipped.
 */
export async function pickAptPackage(opts: { download?: boolean } = {}): Promise<{ name: string } | { skip: string }> {
  const download = opts.download ?? true;
  if (process.getuid?.() !== 0) return { skip: "not root: the apt-get tests install packages" };
  if (!Bun.which("apt-get") || !Bun.which("dpkg-query")) return { skip: "no apt-get/dpkg on this machine" };
  const name = ["sl", "cowsay", "figlet"].find((n) => !installed(n));
  if (!name) return { skip: "sl, cowsay and figlet are all installed already; not touching them" };
  const offNet = networkSkipReason("this test");
  const hasCandidate = () => !/Candidate: \(none\)|^$/.test(run(["apt-cache", "policy", name]).stdout.toString());
  if (!hasCandidate() && !offNet) run(["apt-get", "update", "-qq"]);
  if (!hasCandidate())
    return {
      skip: `apt knows no candidate for ${name} (no package lists${offNet ? `; apt-get update reaches the network: ${offNet}` : "; apt-get update failed: no network?"})`,
    };
  if (!download) return { name };
  if (offNet) return { skip: offNet };
  // can apt actually download? (private archives dir: nothing on the system changes)
  const dir = await mkdtemp(join(tmpdir(), "ps-apt-probe-"));
  try {
    const probe = Bun.spawnSync(["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root", name], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    if (probe.exitCode !== 0) return { skip: `apt cannot download ${name} (no network?): ${probe.stderr.toString().trim()}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { name };
}

export function isInstalled(name: string): boolean {
  return installed(name);
}

export function purge(name: string): void {
  run(["apt-get", "purge", "-y", "-q", name]);
}
