// What a test of a whole stack (DevStack itself as the base) puts into a
// booted root (devstack-root.ts): DevStack's repository from the shared
// fixture bundle, a small requirements repository, the pip shim, and a
// local.conf with the settings such a root needs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { listBasePackages } from "../../src/packages/base-lists.ts";
import type { SystemdRoot } from "./devstack-root.ts";
import { git, makeRepo } from "./git.ts";

const FIXTURES = resolve(import.meta.dir, "../fixtures/devstack-base");
/** DevStack's repository as a git bundle (master and stable/2026.1): a shared test fixture, never part of plugstack. */
export const DEVSTACK_BUNDLE = resolve(import.meta.dir, "../../../shared/fixtures/devstack.bundle");
/** The namespace's own address (198.18.1.0/24 is this range), DevStack's HOST_IP there. */
export const ROOT_HOST_IP = "198.18.1.10";

/** Why a DevStack fixture cannot be made here, or "". */
export function devstackFixtureUnavailable(): string {
  return existsSync(DEVSTACK_BUNDLE) ? "" : `the DevStack fixture bundle is missing (${DEVSTACK_BUNDLE})`;
}

export interface GitFixtures {
  /** directory of bare repos, to serve with SystemdRoot.serveGit */
  dir: string;
  /** a work-tree clone of DevStack master on the host (to read its files) */
  devstackTree: string;
  devstackCommit: string;
  requirementsCommit: string;
}

/** Bare `devstack.git` (from the bundle, all branches) and `requirements.git` (the fixture lists) under `dir`. */
export function makeGitFixtures(dir: string): GitFixtures {
  mkdirSync(dir, { recursive: true });
  git(dir, "clone", "-q", "--bare", "--mirror", DEVSTACK_BUNDLE, join(dir, "devstack.git"));
  git(dir, "clone", "-q", "-b", "master", join(dir, "devstack.git"), join(dir, "devstack-tree"));
  const files = Object.fromEntries(
    ["global-requirements.txt", "upper-constraints.txt"].map((f) => [f, readFileSync(join(FIXTURES, "requirements", f), "utf8")]),
  );
  const req = makeRepo(join(dir, "requirements.git"), { bare: true, files, commits: [{ message: "fixture requirements", files }] });
  return {
    dir,
    devstackTree: join(dir, "devstack-tree"),
    devstackCommit: git(join(dir, "devstack-tree"), "rev-parse", "HEAD"),
    requirementsCommit: req.commits[0]!,
  };
}

/**
 * The OS packages a DevStack run with `services` installs on this distro: DevStack's own lists
 * (through plugstack's listBasePackages) plus what DevStack's code asks apt for directly:
 * lsb-release (functions-common), python3.X and its -dev (inc/python), uwsgi (lib/apache), mariadb-server
 * (lib/databases/mysql).
 */
export async function devstackPackages(devstackTree: string, services: string[]): Promise<string[]> {
  const names = await listBasePackages({ baseDir: devstackTree, services });
  const v = Bun.spawnSync(["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).stdout.toString().trim();
  names.push("lsb-release", `python${v}`, `python${v}-dev`, "uwsgi", "uwsgi-plugin-python3");
  if (services.includes("mysql")) names.push("mariadb-server");
  return names;
}

/** Installs the pip shim into the root as pip, pip3, pip3.X and python3.X (in /usr/local/bin); returns its log path. */
export async function installPythonShim(root: SystemdRoot): Promise<string> {
  writeFileSync(root.path("/usr/local/bin/python-shim"), readFileSync(join(FIXTURES, "python-shim")), { mode: 0o755 });
  await root.sh(`v=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cd /usr/local/bin
for n in pip pip3 "pip$v" "python$v"; do ln -sf python-shim "$n"; done
install -m 666 /dev/null /var/log/pip-shim.log`);
  return "/var/log/pip-shim.log";
}

/** A DevStack local.conf for the root: everything from the git daemon inside it, no KSM, HOST_IP set. */
export function baseLocalConf(gitUrl: string, extra = ""): string {
  return `[[local|localrc]]
HOST_IP=${ROOT_HOST_IP}
ADMIN_PASSWORD=secret
DATABASE_PASSWORD=secret
RABBIT_PASSWORD=secret
SERVICE_PASSWORD=secret
ENABLE_KSMTUNED=False
GIT_BASE=${gitUrl}
REQUIREMENTS_REPO=${gitUrl}/requirements.git
disable_all_services
enable_service mysql
${extra}`;
}
