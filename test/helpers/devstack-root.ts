// A Debian root that boots real systemd as PID 1 inside namespaces, for tests
// that run DevStack itself. systemd-nspawn needs systemd on the host; this
// machine has none, so the root is booted by hand:
//   unshare -C -p -f -m -n -u --propagation private, an overlay of the cached
//   root (each test gets a fresh copy), bind-mounted onto itself (PrivateTmp=
//   needs a mount point), proc, sysfs, a tmpfs over sys/fs/cgroup with a
//   cgroup v1 name=systemd hierarchy, tmpfs run and dev, then
//   chroot ROOT /lib/systemd/systemd --system.
// Commands enter it with nsenter -t PID -m -p -n -u -r -w. The namespace has
// only its own loopback: nothing inside can reach any other address. OS
// packages come from a local apt repository of .debs downloaded on the host
// (plugstack's own offline package cache) and bind-mounted into the root.
// The debootstrap root and the .debs are cached under
// ~/.cache/plugstack-tests/ (built in a temp dir, then renamed into place),
// and rebuilt when missing.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { detectDistro } from "../../src/packages/distro.ts";
import { fetchPackages, packageCacheDir } from "../../src/packages/offline.ts";
import { recordingLog } from "./log.ts";
import { collectOutput, type ProcessResult } from "./process.ts";

export const TEST_CACHE = join(process.env.PLUGSTACK_TEST_CACHE ?? join(homedir(), ".cache", "plugstack-tests"));
/** What the root is built with (the issue's list, plus git: plugstack needs git on the target). */
export const ROOT_PACKAGES = ["systemd", "systemd-sysv", "dbus", "sudo", "procps", "iproute2", "python3", "python3-yaml", "git", "ca-certificates"];
const CGROUP_V1 = "/sys/fs/cgroup/systemd";
const HOST_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function run(argv: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): string {
  const r = Bun.spawnSync(argv, { env: { PATH: HOST_PATH, LC_ALL: "C", ...opts.env }, cwd: opts.cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`devstack-root: ${argv.join(" ")} failed (${r.exitCode}): ${r.stderr.toString().slice(-2000)}`);
  return r.stdout.toString();
}

/** Why this machine cannot boot such a root, or "" when it can. */
export function systemdRootUnavailable(): string {
  if (process.getuid?.() !== 0) return "booting a systemd root needs root";
  for (const tool of ["debootstrap", "unshare", "nsenter", "chroot", "apt-get"]) {
    if (Bun.spawnSync(["sh", "-c", `command -v ${tool}`], { env: { PATH: HOST_PATH } }).exitCode !== 0) return `${tool} is not installed`;
  }
  if (!existsSync("/etc/debian_version")) return "the host is not Debian-like (the root is made with debootstrap from the host's apt source)";
  const probe = Bun.spawnSync(["unshare", "-C", "-p", "-f", "-m", "-n", "-u", "--propagation", "private", "true"], { stderr: "pipe" });
  if (probe.exitCode !== 0) return `unshare is not permitted here: ${probe.stderr.toString().trim()}`;
  if (!existsSync(join(CGROUP_V1, "cgroup.procs"))) return `no cgroup v1 name=systemd hierarchy at ${CGROUP_V1}`;
  return "";
}

/** The host's Debian codename and the first apt source (URI) that serves it, read from /etc/apt. */
export function hostAptSource(): { suite: string; uri: string } {
  const os = Object.fromEntries(
    readFileSync("/etc/os-release", "utf8")
      .split("\n")
      .map((l) => /^([A-Z_]+)=(.*)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, "")]),
  );
  const suite = os.VERSION_CODENAME ?? "";
  if (!suite) throw new Error("devstack-root: /etc/os-release has no VERSION_CODENAME");
  const files = [
    "/etc/apt/sources.list",
    ...(existsSync("/etc/apt/sources.list.d")
      ? readdirSync("/etc/apt/sources.list.d")
          .sort()
          .map((f) => join("/etc/apt/sources.list.d", f))
      : []),
  ];
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "mi").exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        if (field("Enabled")[0] === "no" || !field("Types").includes("deb")) continue;
        if (field("Suites").includes(suite) && field("Components").includes("main")) return { suite, uri: field("URIs")[0]! };
      }
    } else if (file.endsWith(".list")) {
      for (const line of text.split("\n")) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line);
        if (m && m[2] === suite && m[3]!.split(/\s+/).includes("main")) return { suite, uri: m[1]! };
      }
    }
  }
  throw new Error(`devstack-root: no apt source for ${suite} main in /etc/apt`);
}

/** Builds into a temp dir beside `dest` and renames it into place; a concurrent builder's result wins. */
function buildCached(dest: string, build: (tmp: string) => void): string {
  if (existsSync(join(dest, ".complete"))) return dest;
  mkdirSync(TEST_CACHE, { recursive: true });
  const tmp = mkdtempSync(`${dest}.tmp-`);
  try {
    build(tmp);
    writeFileSync(join(tmp, ".complete"), "");
    if (existsSync(dest)) rmSync(dest, { recursive: true, force: true }); // an incomplete leftover
    try {
      renameSync(tmp, dest);
    } catch (e) {
      if (!existsSync(join(dest, ".complete"))) throw e; // someone else finished first: use theirs
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dest;
}

/** The debootstrap root (minbase + ROOT_PACKAGES + a `stack`-free base), cached; built when missing. */
export function cachedRoot(): string {
  const { suite, uri } = hostAptSource();
  const dest = join(TEST_CACHE, `systemd-root-${suite}`);
  return buildCached(dest, (tmp) => {
    console.log(`[devstack-root] debootstrap ${suite} from the host's apt source into ${dest} (cached for later runs)`);
    const root = join(tmp, "root");
    run(["debootstrap", "--variant=minbase", `--include=${ROOT_PACKAGES.join(",")}`, suite, root, uri]);
    // The root never has network: its only apt source is the local repository a test mounts at /srv/debs.
    writeFileSync(join(root, "etc/apt/sources.list"), "");
    writeFileSync(join(root, "etc/hostname"), "ps15-root\n");
    writeFileSync(join(root, "etc/hosts"), "127.0.0.1 localhost ps15-root\n::1 localhost\n");
    rmSync(join(root, "var/lib/apt/lists"), { recursive: true, force: true });
    mkdirSync(join(root, "var/lib/apt/lists/partial"), { recursive: true });
    run(["chroot", root, "apt-get", "clean"]);
    // Units that cannot work in a network namespace without devices only slow the boot down.
    for (const unit of [
      "systemd-networkd.service",
      "systemd-resolved.service",
      "systemd-timesyncd.service",
      "getty@.service",
      "apt-daily.timer",
      "apt-daily-upgrade.timer",
      "e2scrub_all.timer",
      "fstrim.timer",
    ]) {
      Bun.spawnSync(["chroot", root, "systemctl", "mask", unit], { env: { PATH: HOST_PATH } });
    }
  });
}

/**
 * A local apt repository (flat: Packages file beside the .debs) holding `names`
 * with their whole dependency closure, downloaded on the host by plugstack's
 * own offline package code; cached by the sorted list of names.
 */
export async function cachedDebRepo(names: string[]): Promise<string> {
  const sorted = [...new Set(names)].sort();
  const key = new Bun.CryptoHasher("sha256").update(sorted.join("\n")).digest("hex").slice(0, 16);
  const distro = await detectDistro();
  const dest = join(TEST_CACHE, `debs-${distro.distro}-${key}`);
  if (existsSync(join(dest, ".complete"))) return join(dest, "repo");
  mkdirSync(TEST_CACHE, { recursive: true });
  const tmp = mkdtempSync(`${dest}.tmp-`);
  try {
    console.log(`[devstack-root] downloading ${sorted.length} package(s) with their dependencies into ${dest} (cached for later runs)`);
    const ctx = { cwd: tmp, env: { ...process.env }, log: recordingLog().log, cacheDir: join(tmp, "cache"), offline: false };
    await fetchPackages(ctx, sorted, { distro });
    renameSync(packageCacheDir(ctx.cacheDir, distro), join(tmp, "repo"));
    rmSync(join(tmp, "repo", "debs", "partial"), { recursive: true, force: true });
    writeFileSync(join(tmp, "names"), `${sorted.join("\n")}\n`);
    writeFileSync(join(tmp, ".complete"), "");
    if (existsSync(dest)) rmSync(dest, { recursive: true, force: true });
    try {
      renameSync(tmp, dest);
    } catch (e) {
      if (!existsSync(join(dest, ".complete"))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return join(dest, "repo");
}

/**
 * An overlay layer on top of `lowers` (top first), made by running `script` as root in a chroot of them
 * (no systemd, services are not started: policy-rc.d says no), with `binds` mounted; cached under `name`.
 * Returns the layers to boot, top first.
 */
export function cachedLayer(name: string, lowers: string[], script: string, binds: Bind[] = []): string[] {
  const dest = buildCached(join(TEST_CACHE, name), (tmp) => {
    console.log(`[devstack-root] building the root layer ${name} (cached for later runs)`);
    for (const d of ["root", "work", "merged"]) mkdirSync(join(tmp, d));
    const layer = `
set -euo pipefail
M=$1/merged
mount -t overlay overlay -o "lowerdir=$2,upperdir=$1/root,workdir=$1/work" "$M"
mount -t proc proc "$M/proc"
mount --rbind /dev "$M/dev"
mount -t tmpfs tmpfs "$M/run"
mount -t tmpfs tmpfs "$M/tmp"
while IFS=$'	' read -r host target mode; do
  [[ -n $host ]] || continue
  mkdir -p "$M$target"; mount --bind "$host" "$M$target"
done <<<"$3"
printf '#!/bin/sh
exit 101
' > "$M/usr/sbin/policy-rc.d"; chmod +x "$M/usr/sbin/policy-rc.d"
chroot "$M" /bin/bash -euo pipefail -c "$4"
rm -f "$M/usr/sbin/policy-rc.d"
while IFS=$'	' read -r host target mode; do [[ -n $host ]] && rmdir "$M$target" 2>/dev/null || true; done <<<"$3"
`;
    run(
      [
        "unshare",
        "-m",
        "--propagation",
        "private",
        "bash",
        "-c",
        layer,
        "layer",
        tmp,
        lowers.join(":"),
        binds.map((b) => `${b.host}\t${b.target}\tro`).join("\n"),
        script,
      ],
      { env: { LANG: "C.UTF-8", HOME: "/root", DEBIAN_FRONTEND: "noninteractive" } },
    );
    rmSync(join(tmp, "work"), { recursive: true, force: true });
    rmSync(join(tmp, "merged"), { recursive: true, force: true });
  });
  return [join(dest, "root"), ...lowers];
}

/**
 * The cached systemd root plus `packages` preinstalled (from the local repository `debRepo`, whose
 * apt source stays configured at /srv/debs). Installing up front keeps each DevStack run in a test
 * short: DevStack's own apt-get calls then find them installed.
 */
export function cachedRootWith(packages: string[], debRepo: string): string[] {
  const key = new Bun.CryptoHasher("sha256")
    .update(`${debRepo}\n${[...packages].sort().join("\n")}`)
    .digest("hex")
    .slice(0, 16);
  const base = join(cachedRoot(), "root");
  const script = `echo 'deb [trusted=yes] file:/srv/debs ./' > /etc/apt/sources.list
apt-get -o Acquire::Languages=none update -qq
echo 'man-db man-db/auto-update boolean false' | debconf-set-selections
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-unsafe-io ${packages.join(" ")}
apt-get clean; rm -rf /var/lib/apt/lists/*; mkdir -p /var/lib/apt/lists/partial
: > /etc/apt/sources.list`;
  return cachedLayer(`root-${hostAptSource().suite}-${key}`, [base], script, [{ host: debRepo, target: "/srv/debs" }]);
}

/**
 * Everything a DevStack test root needs, cached: the local repository of `packages` and the layers of a
 * root with them preinstalled. On a cold cache the debootstrap runs (in a child process) while the
 * packages download, which saves about a minute.
 */
export async function prepareDevstackRoot(packages: string[]): Promise<{ debRepo: string; layers: string[] }> {
  const { suite } = hostAptSource();
  const building = existsSync(join(TEST_CACHE, `systemd-root-${suite}`, ".complete"))
    ? null
    : Bun.spawn([process.execPath, "-e", `import { cachedRoot } from ${JSON.stringify(import.meta.path)}; cachedRoot();`], {
        env: { ...process.env, PLUGSTACK_TEST_CACHE: TEST_CACHE },
        stdout: "inherit",
        stderr: "pipe",
      });
  const debRepo = await cachedDebRepo(packages);
  if (building && (await building.exited) !== 0) throw new Error(`devstack-root: building the root failed: ${await new Response(building.stderr).text()}`);
  return { debRepo, layers: cachedRootWith(packages, debRepo) };
}

export interface Bind {
  /** path on the host */
  host: string;
  /** absolute path inside the root */
  target: string;
  readonly?: boolean;
}

export interface BootOptions {
  /** the layers of the root, top first (default: the cached systemd root alone) */
  layers?: string[];
  /** host directories to bind-mount into the root before systemd starts */
  binds?: Bind[];
  /** a local apt repository (cachedDebRepo) to serve at /srv/debs as the root's only apt source */
  debRepo?: string;
  /** the namespace's address on lo besides 127.0.0.1, in 198.18.1.0/24 (default 198.18.1.10) */
  hostIp?: string;
}

export interface RunOptions {
  user?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** text for stdin */
  input?: string;
}

// Runs as PID 1 of the new PID namespace, in the new mount/net/UTS/cgroup namespaces:
// mounts the fresh root and hands over to systemd.
const BOOT = String.raw`
set -euo pipefail
R=$PS_ROOT
mount -t overlay overlay -o "lowerdir=$PS_LOWER,upperdir=$PS_UPPER,workdir=$PS_WORK" "$R"
mount --bind "$R" "$R"
mount -t proc proc "$R/proc"
mount -t sysfs -o ro sysfs "$R/sys"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/sys/fs/cgroup"
mkdir "$R/sys/fs/cgroup/systemd"
mount -t cgroup -o none,name=systemd,xattr cgroup "$R/sys/fs/cgroup/systemd" 2>/dev/null \
  || mount -t cgroup -o none,name=systemd cgroup "$R/sys/fs/cgroup/systemd"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/run"
mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"
for d in "null 1 3" "zero 1 5" "full 1 7" "random 1 8" "urandom 1 9" "tty 5 0"; do
  set -- $d; mknod -m 666 "$R/dev/$1" c "$2" "$3"
done
mknod -m 600 "$R/dev/console" c 5 1
mkdir -m 755 "$R/dev/pts" "$R/dev/shm" "$R/dev/mqueue"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
ln -s /proc/self/fd "$R/dev/fd"; ln -s /proc/self/fd/0 "$R/dev/stdin"; ln -s /proc/self/fd/1 "$R/dev/stdout"; ln -s /proc/self/fd/2 "$R/dev/stderr"
while IFS=$'\t' read -r host target mode; do
  [[ -n $host ]] || continue
  if [[ -d $host ]]; then mkdir -p "$R$target"; else mkdir -p "$(dirname "$R$target")"; touch "$R$target"; fi
  mount --bind "$host" "$R$target"
  [[ $mode == ro ]] && mount -o remount,bind,ro "$R$target"
done <<<"$PS_BINDS"
ip link set lo up
ip addr add "$PS_HOST_IP/24" dev lo
hostname ps15-root
echo ps15-root > "$R/etc/hostname"
exec chroot "$R" /lib/systemd/systemd --system --log-target=console --log-level=warning </dev/null >"$PS_CONSOLE" 2>&1
`;

/** A booted root: systemd is PID 1 of its own namespaces. */
export class SystemdRoot {
  private constructor(
    /** systemd's PID as seen from the host */
    readonly pid: number,
    readonly hostIp: string,
    /** the host directory of this copy (upper layer, work dir, console log) */
    readonly dir: string,
    /** the cgroups this root runs in, one per hierarchy (host paths) */
    readonly cgroups: string[],
    private readonly unshare: ReturnType<typeof Bun.spawn>,
  ) {}

  /** Boots a fresh copy of the cached root; waits until systemd reports the system is up. */
  static async boot(opts: BootOptions = {}): Promise<SystemdRoot> {
    const layers = opts.layers ?? [join(cachedRoot(), "root")];
    const hostIp = opts.hostIp ?? "198.18.1.10";
    const dir = mkdtempSync(join(tmpdir(), "ps15-root-"));
    for (const d of ["upper", "work", "merged"]) mkdirSync(join(dir, d));
    const cgroups = makeRunCgroups(`ps15-${process.pid}-${Date.now().toString(36)}`);
    const binds = [...(opts.binds ?? [])];
    if (opts.debRepo) binds.push({ host: opts.debRepo, target: "/srv/debs", readonly: true });
    const env = {
      PATH: HOST_PATH,
      PS_ROOT: join(dir, "merged"),
      PS_LOWER: layers.join(":"),
      PS_UPPER: join(dir, "upper"),
      PS_WORK: join(dir, "work"),
      PS_BINDS: binds.map((b) => `${b.host}\t${b.target}\t${b.readonly ? "ro" : "rw"}`).join("\n"),
      PS_HOST_IP: hostIp,
      PS_CONSOLE: join(dir, "console.log"),
    };
    // Enter the test's own cgroup first, so the new cgroup namespace (and systemd's view) is rooted there
    // and teardown can find every process, also ones that left the PID namespace's tree.
    const unshare = Bun.spawn(
      [
        "bash",
        "-c",
        'for cg in "${@:2}"; do echo $$ > "$cg/cgroup.procs"; done && exec unshare -C -p -f -m -n -u --propagation private bash -c "$1"',
        "boot",
        BOOT,
        ...cgroups,
      ],
      {
        env,
        stdin: "ignore",
        stdout: "ignore",
        stderr: "pipe",
      },
    );
    let pid = 0;
    const root = (): SystemdRoot => new SystemdRoot(pid, hostIp, dir, cgroups, unshare);
    try {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        if (unshare.exitCode !== null) {
          throw new Error(
            `devstack-root: boot failed (${unshare.exitCode}): ${await new Response(unshare.stderr as ReadableStream).text()}\n${readTail(env.PS_CONSOLE)}`,
          );
        }
        if (!pid) pid = childOf(unshare.pid);
        if (pid && readCmdline(pid).startsWith("/lib/systemd/systemd")) {
          const state = await root()
            .exec(["systemctl", "is-system-running", "--wait"])
            .catch(() => null);
          if (state && /running|degraded/.test(state.stdout)) {
            if (opts.debRepo) await root().sh("echo 'deb [trusted=yes] file:/srv/debs ./' > /etc/apt/sources.list");
            return root();
          }
        }
        await Bun.sleep(200);
      }
      throw new Error(`devstack-root: systemd did not come up within 120 s\n${readTail(env.PS_CONSOLE)}`);
    } catch (e) {
      await root().stop();
      throw e;
    }
  }

  /** A path inside the root, as the host sees it (through /proc/PID/root). */
  path(p: string): string {
    return `/proc/${this.pid}/root${p.startsWith("/") ? p : `/${p}`}`;
  }

  /** The command line that runs argv inside the root (all its namespaces and its root directory). */
  private enter(argv: string[], opts: RunOptions): string[] {
    const env = { PATH: HOST_PATH, LANG: "C.UTF-8", HOME: "/root", TERM: "dumb", ...opts.env };
    const enter = ["nsenter", "-t", String(this.pid), "-m", "-p", "-n", "-u", "-C", "-r", "-w"];
    const inner = opts.user
      ? ["runuser", "-u", opts.user, "--", "env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv]
      : ["env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
    const cd = opts.cwd ? ["sh", "-c", 'cd "$1" && shift && exec "$@"', "cd", opts.cwd] : [];
    return [...enter, ...cd, ...inner];
  }

  /** Runs argv inside the root and waits; never throws for a non-zero exit. */
  async exec(argv: string[], opts: RunOptions = {}): Promise<ProcessResult> {
    const proc = Bun.spawn(this.enter(argv, opts), {
      env: { PATH: HOST_PATH },
      stdin: opts.input === undefined ? "ignore" : new TextEncoder().encode(opts.input),
      stdout: "pipe",
      stderr: "pipe",
    });
    return collectOutput(proc as unknown as Parameters<typeof collectOutput>[0]);
  }

  /** Starts argv inside the root in the background (output to `logFile` on the host); stop() kills it at the latest. */
  spawn(argv: string[], opts: RunOptions & { logFile?: string } = {}): ReturnType<typeof Bun.spawn> {
    const out = opts.logFile ? Bun.file(opts.logFile) : "ignore";
    return Bun.spawn(this.enter(argv, opts), { env: { PATH: HOST_PATH }, stdin: "ignore", stdout: out, stderr: out });
  }

  /** Runs a bash script inside the root; throws with its output when it fails. */
  async sh(script: string, opts: RunOptions = {}): Promise<string> {
    const r = await this.exec(["bash", "-euo", "pipefail", "-c", script], opts);
    if (r.code !== 0)
      throw new Error(
        `devstack-root: script failed (${r.code}) in the root:\n${script}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`,
      );
    return r.stdout;
  }

  /**
   * Serves `baseDir` (bare repos) with the host's git daemon inside the root's network namespace,
   * at git://127.0.0.1:9418/<name> as the root sees it.
   */
  async serveGit(baseDir: string, port = 9418): Promise<string> {
    const proc = Bun.spawn(
      [
        "bash",
        "-c",
        'echo $$ > "$1/cgroup.procs" && exec nsenter -t "$2" -n git daemon --export-all --reuseaddr "--base-path=$3" --listen=127.0.0.1 "--port=$4" "$3"',
        "serve",
        this.cgroups[0]!,
        String(this.pid),
        baseDir,
        String(port),
      ],
      { env: { PATH: HOST_PATH }, stdin: "ignore", stdout: "ignore", stderr: "pipe" },
    );
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null)
        throw new Error(`devstack-root: git daemon exited (${proc.exitCode}): ${await new Response(proc.stderr as ReadableStream).text()}`);
      const r = await this.exec(["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
      if (r.code === 0) return `git://127.0.0.1:${port}`;
      await Bun.sleep(100);
    }
    throw new Error("devstack-root: git daemon did not listen within 10 s");
  }

  /** The root's console (systemd's own messages). */
  console(): string {
    return readTail(join(this.dir, "console.log"));
  }

  /** Kills every process of the root (also after a failed test), then removes the copy. */
  async stop(): Promise<void> {
    const procsFile = (cg: string): string[] => {
      const out: string[] = [];
      if (!existsSync(cg)) return out;
      out.push(...readFileSync(join(cg, "cgroup.procs"), "utf8").split("\n").filter(Boolean));
      for (const e of readdirSync(cg, { withFileTypes: true })) if (e.isDirectory()) out.push(...procsFile(join(cg, e.name)));
      return out;
    };
    if (this.pid) {
      try {
        process.kill(this.pid, "SIGKILL"); // PID 1 of the namespace: the kernel kills everything in it
      } catch {}
      // unshare reaps it and exits; killing unshare first would leave the namespace's init a zombie
      await Promise.race([this.unshare.exited, Bun.sleep(10_000)]);
    }
    const deadline = Date.now() + 20_000;
    for (;;) {
      const pids = [...new Set(this.cgroups.flatMap(procsFile))];
      if (pids.length === 0) break;
      for (const p of pids) {
        try {
          process.kill(Number(p), "SIGKILL");
        } catch {}
      }
      if (Date.now() > deadline) throw new Error(`devstack-root: processes ${pids.join(" ")} in ${this.cgroups[0]} did not die`);
      await Bun.sleep(100);
    }
    await this.unshare.exited;
    const removeCgroups = (cg: string): void => {
      if (!existsSync(cg)) return;
      for (const e of readdirSync(cg, { withFileTypes: true })) if (e.isDirectory()) removeCgroups(join(cg, e.name));
      rmdirSync(cg);
    };
    for (const cg of this.cgroups) removeCgroups(cg);
    // The mounts lived in the namespace, which is gone: only plain files are left.
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * One fresh cgroup per hierarchy (v1, and the v2 one when mounted), below the one this process is in (name=systemd first). Entering them
 * before unshare -C roots the new cgroup namespace there, so what systemd creates stays inside them.
 */
function makeRunCgroups(name: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const mount = join("/sys/fs/cgroup", m[1] ? m[1].replace(/^name=/, "") : "unified"); // "0::path" is cgroup v2
    if (!existsSync(join(mount, "cgroup.procs"))) continue;
    const dir = join(mount, m[2]!, name);
    mkdirSync(dir);
    if (m[1] === "name=systemd") out.unshift(dir);
    else out.push(dir);
  }
  if (!out[0]?.startsWith(CGROUP_V1)) throw new Error(`devstack-root: no cgroup v1 name=systemd hierarchy at ${CGROUP_V1}`);
  return out;
}

function childOf(pid: number): number {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0];
    if (!first) return 0;
    // bash -> unshare (exec'd, same pid) -> forked child: PID 1 of the namespace
    return Number(first);
  } catch {
    return 0;
  }
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function readTail(path: string): string {
  try {
    return readFileSync(path, "utf8").slice(-4000);
  } catch {
    return "";
  }
}
