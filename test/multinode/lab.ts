// Hosts for the multi-node tests and benchmark: network namespaces on a
// private bridge (addresses only in 198.18.0.0/24), each running its own sshd
// in its own mount namespace with a private tmpfs over /opt (so each has its
// own /opt/stack), and a git daemon for the control machine on an address the
// hosts reach only through a route that can be taken away (air-gapped).
// Teardown removes namespaces, links, keys and every process it started.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const P = "ps12-";
export const BRIDGE = `${P}br`;
export const CONTROL_ADDRESS = "198.18.0.1";
/** the control machine's git server; hosts reach it only through the route via CONTROL_ADDRESS */
export const GIT_ADDRESS = "198.18.0.129";
const GIT_NET = "198.18.0.128/25";
const LOCK_FILE = join(tmpdir(), "ps12-lab.lock");

export interface LabHost {
  name: string;
  ns: string;
  address: string;
  sshd: ReturnType<typeof Bun.spawn>;
}

export interface Lab {
  dir: string;
  key: string;
  hosts: LabHost[];
  /** git daemon base directory: repos at <gitDir>/<name> are git://GIT_ADDRESS/<name> */
  gitDir: string;
  /** give the hosts a route to the git server, or take it away */
  setGitRoute(on: boolean): void;
  /** run a command inside a host's namespaces (network and its /opt) */
  inHost(host: LabHost, argv: string[]): { code: number; stdout: string; stderr: string };
  /** environment for ansible-playbook against these hosts */
  ansibleEnv(): Record<string, string>;
  teardown(): Promise<void>;
}

function run(argv: string[], opts: { allowFail?: boolean } = {}): { code: number; stdout: string; stderr: string } {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const out = { code: r.exitCode ?? 1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  if (out.code !== 0 && !opts.allowFail) throw new Error(`lab: ${argv.join(" ")} failed (${out.code}): ${out.stderr}`);
  return out;
}

/** Why this machine cannot build the lab, or null when it can. */
export function labUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "needs root (network namespaces, sshd)";
  for (const tool of ["ip", "unshare", "nsenter", "flock", "ssh-keygen", "ansible-playbook", "git"]) if (!Bun.which(tool)) return `needs ${tool} on PATH`;
  if (!existsSync("/usr/sbin/sshd")) return "needs /usr/sbin/sshd (openssh-server)";
  if (!existsSync("/usr/bin/python3")) return "needs /usr/bin/python3 for Ansible's modules on the hosts";
  return null;
}

/** Processes running in a namespace. */
function nsPids(ns: string): number[] {
  const r = run(["ip", "netns", "pids", ns], { allowFail: true });
  return r.code === 0 ? r.stdout.split(/\s+/).filter(Boolean).map(Number) : [];
}

function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}

/** Removes every ps12- namespace and link this module makes (also leftovers of a killed run). */
function removeAll(): void {
  const namespaces = run(["ip", "netns", "list"], { allowFail: true })
    .stdout.split("\n")
    .map((l) => l.split(" ")[0]!)
    .filter((n) => n.startsWith(P));
  for (const ns of namespaces) {
    killPids(nsPids(ns));
    run(["ip", "netns", "del", ns], { allowFail: true });
  }
  for (const link of [BRIDGE]) run(["ip", "link", "del", link], { allowFail: true });
}

async function waitTcp(host: string, port: number, timeoutMs: number, what: string, inNs?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = inNs
      ? run(["ip", "netns", "exec", inNs, "bash", "-c", `exec 3<>/dev/tcp/${host}/${port}`], { allowFail: true }).code === 0
      : await new Promise<boolean>((resolve) => {
          const s = createConnection({ host, port }, () => {
            s.end();
            resolve(true);
          });
          s.on("error", () => resolve(false));
        });
    if (ok) return;
    await Bun.sleep(100);
  }
  throw new Error(`lab: ${what} is not listening on ${host}:${port} after ${timeoutMs}ms`);
}

/** Takes the lab lock (one lab on this machine at a time): resolves once held. */
async function takeLock(): Promise<ReturnType<typeof Bun.spawn>> {
  // one process holds the lock (bash execs into sleep keeping fd 9): killing it releases the lock
  const holder = Bun.spawn(["bash", "-c", 'exec 9>"$0" && flock -x 9 && echo held && exec sleep 100000', LOCK_FILE], {
    stdout: "pipe",
    stderr: "ignore",
    stdin: "ignore",
  });
  const reader = holder.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  return holder;
}

export async function createLab(names: string[]): Promise<Lab> {
  const lock = await takeLock();
  removeAll();
  const dir = mkdtempSync(join(tmpdir(), "ps12-lab-"));
  chmodSync(dir, 0o700);
  const key = join(dir, "id_ed25519");
  const gitDir = join(dir, "git");
  mkdirSync(gitDir);
  const hosts: LabHost[] = [];
  let daemon: ReturnType<typeof Bun.spawn> | undefined;
  const controlDir = join(dir, "cp");
  const teardown = async () => {
    // Ansible's ssh connection masters (ControlPersist) run on this side: ask each to exit
    if (existsSync(controlDir))
      for (const socket of readdirSync(controlDir))
        run(["ssh", "-o", `ControlPath=${join(controlDir, socket)}`, "-O", "exit", "ps12-lab"], { allowFail: true });
    for (const h of hosts) h.sshd.kill("SIGKILL");
    daemon?.kill("SIGKILL");
    removeAll();
    rmSync(dir, { recursive: true, force: true });
    lock.kill("SIGKILL");
  };
  try {
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ps12-lab", "-f", key]);
    run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ps12-lab-host", "-f", join(dir, "host_key")]);
    writeFileSync(join(dir, "authorized_keys"), await Bun.file(`${key}.pub`).text());
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    run(["ip", "link", "add", BRIDGE, "type", "bridge"]);
    run(["ip", "addr", "add", `${CONTROL_ADDRESS}/25`, "dev", BRIDGE]);
    run(["ip", "link", "set", BRIDGE, "up"]);
    // the git server's address is on the bridge too, but outside the hosts' /25: they reach it only by a route
    run(["ip", "addr", "add", `${GIT_ADDRESS}/32`, "dev", BRIDGE]);
    names.forEach((name, i) => {
      const ns = `${P}${name}`;
      const address = `198.18.0.${11 + i}`;
      const [inside, outside] = [`${P}${i}a`, `${P}${i}b`];
      run(["ip", "netns", "add", ns]);
      run(["ip", "link", "add", inside, "type", "veth", "peer", "name", outside]);
      run(["ip", "link", "set", inside, "netns", ns]);
      run(["ip", "link", "set", outside, "master", BRIDGE, "up"]);
      run(["ip", "-n", ns, "link", "set", "lo", "up"]);
      run(["ip", "-n", ns, "addr", "add", `${address}/25`, "dev", inside]);
      run(["ip", "-n", ns, "link", "set", inside, "up"]);
      const conf = join(dir, `sshd-${name}.conf`);
      writeFileSync(
        conf,
        [
          `ListenAddress ${address}`,
          "Port 22",
          `HostKey ${join(dir, "host_key")}`,
          `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
          "PidFile none",
          "PermitRootLogin prohibit-password",
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "UsePAM no",
          "StrictModes no",
          "Subsystem sftp internal-sftp",
          "",
        ].join("\n"),
      );
      const sshd = Bun.spawn(
        [
          "ip",
          "netns",
          "exec",
          ns,
          "unshare",
          "-m",
          "--propagation",
          "private",
          "sh",
          "-c",
          'mount -t tmpfs -o mode=0755 ps12-opt /opt && exec /usr/sbin/sshd -D -e -f "$0"',
          conf,
        ],
        {
          stdout: "ignore",
          stderr: Bun.file(join(dir, `sshd-${name}.log`)),
          stdin: "ignore",
        },
      );
      hosts.push({ name: `${P}${name}`, ns, address, sshd });
    });
    // git-daemon itself (`git daemon` would run it as a child that outlives a kill)
    const execPath = run(["git", "--exec-path"]).stdout.trim();
    daemon = Bun.spawn(
      [join(execPath, "git-daemon"), `--listen=${GIT_ADDRESS}`, "--port=9418", "--reuseaddr", "--export-all", `--base-path=${gitDir}`, gitDir],
      { stdout: "ignore", stderr: "ignore", stdin: "ignore" },
    );
    await waitTcp(GIT_ADDRESS, 9418, 10_000, "git daemon");
    for (const h of hosts) await waitTcp(h.address, 22, 10_000, `sshd of ${h.name}`);
  } catch (e) {
    await teardown();
    throw e;
  }
  // an interrupted run still takes everything down
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      void teardown().finally(() => process.exit(130));
    });
  }
  const ansibleTmp = join(dir, "ansible");
  mkdirSync(ansibleTmp);
  writeFileSync(join(dir, "ansible.cfg"), "");
  return {
    dir,
    key,
    hosts,
    gitDir,
    setGitRoute(on) {
      for (const h of hosts) run(["ip", "-n", h.ns, "route", on ? "replace" : "del", GIT_NET, ...(on ? ["via", CONTROL_ADDRESS] : [])], { allowFail: !on });
    },
    inHost(host, argv) {
      return run(["nsenter", "-t", String(host.sshd.pid), "-n", "-m", "--", ...argv], { allowFail: true });
    },
    ansibleEnv() {
      return {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/root",
        LC_ALL: "C.UTF-8",
        ANSIBLE_CONFIG: join(dir, "ansible.cfg"),
        ANSIBLE_HOST_KEY_CHECKING: "False",
        ANSIBLE_PRIVATE_KEY_FILE: key,
        ANSIBLE_SSH_ARGS: "-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR",
        ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
        ANSIBLE_PIPELINING: "True",
        ANSIBLE_LOCAL_TEMP: ansibleTmp,
        ANSIBLE_REMOTE_TMP: "/opt/.ansible-tmp",
        ANSIBLE_NOCOLOR: "1",
        ANSIBLE_RETRY_FILES_ENABLED: "False",
        ANSIBLE_FORKS: "10",
        ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3",
        ANSIBLE_DEPRECATION_WARNINGS: "False",
      };
    },
    teardown,
  };
}
