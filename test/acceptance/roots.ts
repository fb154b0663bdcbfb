// Bare Debian roots for the acceptance tests: `debootstrap --variant=minbase
// --include=git` from the apt source this machine is configured with (read from
// /etc/apt), cached under ~/.cache/plugstack-tests/ (built in a temp dir and
// renamed into place; rebuilt when missing), and run with no network:
// `unshare -n -m` (loopback only), /proc and /dev mounted, then chroot.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { hostAptSource, TEST_CACHE } from "../helpers/devstack-root.ts";
import { collectOutput, type ProcessResult } from "../helpers/process.ts";

export { hostAptSource };

async function run(argv: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<ProcessResult> {
  const proc = Bun.spawn(argv, {
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
    cwd: opts.cwd,
    env: opts.env ?? { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" },
  });
  return collectOutput(proc);
}

export async function mustRun(argv: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<ProcessResult> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(" ")} failed (exit ${r.code}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return r;
}

/** Why this machine cannot build and enter a bare root, or null when it can. */
export function rootsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return "needs root (debootstrap, chroot, unshare)";
  for (const tool of ["debootstrap", "unshare", "nsenter", "chroot", "mount", "ip", "strace"]) {
    if (!Bun.which(tool, { PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin` })) return `${tool} is not installed (.ci/run installs debootstrap and strace)`;
  }
  try {
    hostAptSource();
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

/**
 * The cached root `name`, built by `build(tmpDir)` when missing: into a temp
 * dir beside it, then renamed into place (a concurrent builder's rename wins,
 * the loser's copy is removed).
 */
export async function cachedRoot(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  const path = join(TEST_CACHE, name);
  if (existsSync(path)) return path;
  mkdirSync(TEST_CACHE, { recursive: true });
  const tmp = join(TEST_CACHE, `.${name}.tmp-${process.pid}-${Date.now()}`);
  try {
    await build(tmp);
    try {
      renameSync(tmp, path);
    } catch (e) {
      if (!existsSync(path)) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return path;
}

/** debootstrap minbase + git of this machine's release and architecture, from its apt source. */
export async function bareDebianRoot(): Promise<string> {
  const source = hostAptSource();
  const arch = (await mustRun(["dpkg", "--print-architecture"])).stdout.trim();
  return cachedRoot(`debian-${source.suite}-${arch}-minbase-git`, async (dir) => {
    console.error(`building a bare root: debootstrap --variant=minbase --include=git ${source.suite} (${arch}) from ${source.uri}`);
    await mustRun(["debootstrap", "--variant=minbase", "--include=git", source.suite, dir, source.uri]);
    // no downloaded .debs and no package lists, as in a fresh cloud or container image
    for (const d of ["var/cache/apt/archives", "var/lib/apt/lists"]) {
      rmSync(join(dir, d), { recursive: true, force: true });
      mkdirSync(join(dir, d, "partial"), { recursive: true });
    }
  });
}

/** A private copy of a cached root for one test run (cp -a: owners, modes, links, device nodes). */
export async function cloneRoot(cached: string, into: string): Promise<string> {
  await mustRun(["cp", "-a", "--reflink=auto", cached, into]);
  return into;
}

const IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * A root entered with no network: one namespace set (network holding only
 * loopback, mounts, pids) lives from open() to close(), so a service a step
 * starts is still there for the next step; close() ends every process in it.
 */
export interface IsolatedRoot {
  root: string;
  /** runs `script` with bash inside the root, clean environment (HOME=/root, the image's PATH) plus `env`; `trace` names a host file for strace's execve log */
  run(script: string, env?: Record<string, string>, trace?: string): Promise<ProcessResult>;
  close(): Promise<void>;
}

export async function openIsolated(root: string): Promise<IsolatedRoot> {
  const setup = [
    "set -e",
    "ip link set lo up",
    'mount -t proc proc "$R/proc"',
    'mount --rbind /dev "$R/dev"',
    'mount -t tmpfs tmpfs "$R/run"',
    "echo ready",
    // pid 1 of the namespace: bash reaps the services orphaned there
    'exec bash -c "while :; do sleep 1; done"',
  ].join("; ");
  const holder = Bun.spawn(["unshare", "--net", "--mount", "--pid", "--fork", "--propagation", "private", "bash", "-c", setup], {
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", R: root, LC_ALL: "C" },
  });
  const reader = holder.stdout.getReader();
  const first = await reader.read();
  if (!new TextDecoder().decode(first.value ?? new Uint8Array()).includes("ready")) {
    const err = await new Response(holder.stderr).text();
    throw new Error(`could not enter ${root} with no network: ${err}`);
  }
  const children = readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, "utf8").trim().split(/\s+/);
  const pid1 = Number(children[0]);
  const tracers: Promise<number>[] = [];
  if (!pid1) throw new Error(`no process holds the namespaces of ${root}`);
  return {
    root,
    run: async (script, env = {}, trace) => {
      const vars = Object.entries({ HOME: "/root", PATH: IMAGE_PATH, LANG: "C.UTF-8", NO_COLOR: "1", ...env }).map(([k, v]) => `${k}=${v}`);
      const argv = ["nsenter", "-t", String(pid1), "--net", "--mount", "--pid", "--", "chroot", root, "/usr/bin/env", "-i", ...vars, "/bin/bash", "-c", script];
      if (!trace) return run(argv);
      return traced(argv, trace, tracers);
    },
    close: async () => {
      try {
        process.kill(pid1, "SIGKILL");
      } catch {}
      await holder.exited;
      await Promise.all(tracers);
    },
  };
}

/**
 * Runs `argv` under `strace -f` (execve calls into `trace`). strace lives as
 * long as anything it traces, and a service the step starts outlives the step,
 * so the step's end is read from the log (the first process's exit line) and
 * its output from files; strace itself is awaited at close().
 */
async function traced(argv: string[], trace: string, tracers: Promise<number>[]): Promise<ProcessResult> {
  const out = `${trace}.stdout`;
  const err = `${trace}.stderr`;
  const proc = Bun.spawn(["strace", "-f", "--seccomp-bpf", "-q", "-e", "trace=execve", "-e", "signal=none", "-o", trace, ...argv], {
    stdout: Bun.file(out),
    stderr: Bun.file(err),
    stdin: "ignore",
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" },
  });
  tracers.push(proc.exited);
  for (;;) {
    const exited = proc.exitCode !== null;
    const log = existsSync(trace) ? readFileSync(trace, "utf8") : "";
    const first = /^(\d+)\s/.exec(log)?.[1];
    // strace pads pids: "4868  +++ exited with 0 +++"
    const done = first ? new RegExp(`^${first}\\s+\\+\\+\\+ (?:exited with (\\d+)|killed by (\\w+))`, "m").exec(log) : null;
    if (done) return { code: done[1] === undefined ? 128 : Number(done[1]), stdout: readFileSync(out, "utf8"), stderr: readFileSync(err, "utf8") };
    if (exited) throw new Error(`strace ended (exit ${proc.exitCode}) without the step's exit: ${readFileSync(err, "utf8").slice(-500)}`);
    await Bun.sleep(100);
  }
}

/** Every path under `root` (relative, sorted walk) with type, mode, owner, and size and mtime of files or the target of links. */
export function pictureOf(root: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const full = join(root, rel);
    const st = lstatSync(full, { throwIfNoEntry: false });
    if (!st) return;
    const head = `${(st.mode & 0o170000).toString(8)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
    if (st.isSymbolicLink()) out.set(`/${rel}`, `${head} -> ${readlinkSync(full)}`);
    else if (st.isFile()) out.set(`/${rel}`, `${head} ${st.size} ${Math.round(st.mtimeMs)}`);
    else out.set(`/${rel}`, head);
    if (st.isDirectory()) for (const e of readdirSync(full).sort()) if (!skip(`/${join(rel, e)}`)) walk(join(rel, e));
  };
  walk("");
  return out;
}

/** Programs a traced run executed (successful execve calls), as paths inside the root; the harness's own nsenter and chroot left out. */
export function executedPrograms(trace: string): Set<string> {
  const out = new Set<string>();
  let harness = 2; // strace's log starts with nsenter, then chroot, both of the host
  for (const line of readFileSync(trace, "utf8").split("\n")) {
    const m = /execve\("([^"]+)",.*\) = 0$/.exec(line);
    if (!m) continue;
    if (harness > 0 && /\/(nsenter|chroot)$/.test(m[1]!)) {
      harness--;
      continue;
    }
    out.add(m[1]!);
  }
  return out;
}
