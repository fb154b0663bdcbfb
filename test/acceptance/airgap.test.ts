// The whole promise, end to end: a bare Debian root (debootstrap minbase plus
// git, nothing else), no network at all, only the binary and a bundle copied
// in. The connected side locks, fetches (with packages) and bundles a stack of
// three plugins served by a local git daemon; hello-service needs python3,
// which the bare root lacks. The commands are the README's air-gapped
// walkthrough, read from README.md, so the README shows exactly what runs here.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT } from "../e2e/harness.ts";
import { git, makeRepo } from "../helpers/git.ts";
import { networkSkipReason } from "../helpers/network.ts";
import type { ProcessResult } from "../helpers/process.ts";
import { gitDaemonSuite } from "../plugins/ctx.ts";
import { bareDebianRoot, cloneRoot, executedPrograms, type IsolatedRoot, openIsolated, pictureOf, rootsUnavailable } from "./roots.ts";

setDefaultTimeout(300_000); // debootstrap on a cold machine, apt inside the root

const skip = rootsUnavailable() ?? (networkSkipReason("the connected side (fetch --packages of python3)") || null);
if (skip) console.log(`[skip] acceptance on a bare Debian root: ${skip}`);

/** The README's walkthrough: the sh block after the marker, split at the line that says to copy. */
function walkthrough(): { connected: string[]; isolated: string[] } {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf("<!-- walkthrough: test/acceptance/airgap.test.ts runs these lines -->");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  if (at < 0 || !block) throw new Error("README.md has no air-gapped walkthrough block");
  const lines = block
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const cut = lines.findIndex((l) => l.startsWith("# copy"));
  const commands = (ls: string[]) => ls.filter((l) => !l.startsWith("#"));
  return { connected: commands(lines.slice(0, cut)), isolated: commands(lines.slice(cut + 1)) };
}

const { tmp, srv, urlFor } = gitDaemonSuite({ prefix: "plugstack-acceptance-", startTimeoutMs: 30_000 });
const connected = join(tmp, "connected");
const hostBin = join(tmp, "bin");
let root = "";
let box: IsolatedRoot | undefined;
let before = new Map<string, string>();
const steps = walkthrough();

/** A plugin repo on the git daemon made from a directory of files. */
function servePlugin(name: string, from: string): void {
  const dir = join(srv, name);
  makeRepo(dir, { files: { README: `${name}\n` } });
  cpSync(from, join(dir, "devstack"), { recursive: true });
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", `${name} plugin`);
}

async function onHost(line: string): Promise<ProcessResult> {
  const proc = Bun.spawn(["bash", "-c", line], {
    cwd: connected,
    env: {
      PATH: `${hostBin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: join(tmp, "home"),
      PLUGSTACK_CACHE: join(tmp, "cache"),
      NO_COLOR: "1",
      LC_ALL: "C",
    },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const traces: string[] = [];
const inside = (script: string, trace?: string) => box!.run(`cd /root && ${script}`, {}, trace);
const show = (r: ProcessResult) => `exit ${r.code}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`;
const askService = "exec 3<>/dev/tcp/127.0.0.1/18765 && printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3";

/** Files that installing packages changes: the package database, and every path a newly installed package owns. */
function packageOwned(newPackages: string[]): (path: string) => boolean {
  const owned = new Set<string>();
  for (const p of newPackages) {
    const list = [`${p}.list`, `${p}:amd64.list`, `${p}:arm64.list`].map((f) => join(root, "var/lib/dpkg/info", f)).find(existsSync);
    for (const line of list ? readFileSync(list, "utf8").split("\n") : []) {
      if (!line || line === "/.") continue;
      owned.add(line);
      if (/^\/(bin|sbin|lib|lib64)\//.test(line)) owned.add(`/usr${line}`); // merged /usr: /lib is a link to /usr/lib
    }
  }
  const state = [
    /^\/var\/lib\/(dpkg|apt)\//,
    /^\/var\/cache\/(apt|debconf|ldconfig)\//,
    /^\/var\/log\/(apt\/|dpkg\.log|alternatives\.log)/,
    /^\/etc\/ld\.so\.cache$/,
    /^\/etc\/alternatives\//,
    /\/__pycache__(\/|$)/,
    // made by the maintainer scripts of python3 and readline-common, which python3 pulls in
    /^\/etc\/python3(\/|$)/,
    /^\/var\/lib\/python(\/|$)/,
    /^\/usr\/local\/lib\/python3[.0-9]*(\/|$)/,
    /^\/etc\/inputrc$/,
  ];
  return (path) => owned.has(path) || state.some((re) => re.test(path));
}

const installedPackages = (): string[] =>
  readFileSync(join(root, "var/lib/dpkg/status"), "utf8")
    .split("\n\n")
    .filter((s) => /^Status: install ok installed$/m.test(s))
    .map((s) => /^Package: (.+)$/m.exec(s)![1]!);

describe.skipIf(!!skip)("air-gapped on a bare Debian root", () => {
  let packagesBefore: string[] = [];

  beforeAll(async () => {
    const cached = await bareDebianRoot();
    root = await cloneRoot(cached, join(tmp, "root"));
    console.error(`bare root: a copy of ${cached} at ${root}`);
    before = pictureOf(root, (p) => ["/proc", "/dev", "/run"].includes(p));
    packagesBefore = installedPackages();
    mkdirSync(connected);
    mkdirSync(join(tmp, "home"));
    mkdirSync(hostBin);
    symlinkSync(BIN, join(hostBin, "plugstack"));
    servePlugin("hello-service", join(ROOT, "examples/plugins/hello-service/devstack"));
    servePlugin("hello-config", join(ROOT, "examples/plugins/hello-config/devstack"));
    servePlugin("hello-check", join(import.meta.dir, "fixtures/hello-check/devstack"));
    const conf = readFileSync(join(ROOT, "examples/local.conf"), "utf8")
      .replace("enable_plugin hello-service plugins/hello-service", `enable_plugin hello-service ${urlFor("hello-service")}`)
      .replace(
        "enable_plugin hello-config plugins/hello-config",
        `enable_plugin hello-config ${urlFor("hello-config")}\nenable_plugin hello-check ${urlFor("hello-check")}`,
      );
    writeFileSync(join(connected, "local.conf"), conf);
    box = await openIsolated(root);
  });
  afterAll(async () => {
    await box?.close();
  });

  test(`connected side: ${steps.connected.join("; ")}`, async () => {
    expect(steps.connected.length).toBeGreaterThan(0);
    for (const line of steps.connected) {
      const r = await onHost(line);
      expect(r.code, `${line}\n${show(r)}`).toBe(0);
    }
    const lock = readFileSync(join(connected, "local.conf.lock"), "utf8");
    for (const name of ["hello-service", "hello-config", "hello-check"]) expect(lock).toContain(`name = "${name}"`);
    // the same stack without its packages, for the failure case below
    const r = await onHost("plugstack bundle create --no-packages no-packages.bundle");
    expect(r.code, show(r)).toBe(0);
  });

  test("the bare root lacks python3 and has no network", async () => {
    const r = await inside("command -v python3 || echo no python3; (exec 3<>/dev/tcp/198.18.2.1/80) 2>&1 || echo no route");
    expect(r.stdout).toContain("no python3");
    expect(r.stdout).toContain("no route");
  });

  test("a bundle without the packages: stack --frozen fails naming python3 and how to fetch it", async () => {
    mkdirSync(join(root, "root/lacking"));
    cpSync(BIN, join(root, "usr/local/bin/plugstack"));
    cpSync(join(connected, "no-packages.bundle"), join(root, "root/lacking/stack.bundle"));
    const imp = await inside("cd lacking && plugstack bundle import stack.bundle");
    expect(imp.code, show(imp)).toBe(0);
    const r = await inside("cd lacking && plugstack stack --frozen");
    expect(r.code, show(r)).toBe(1);
    expect(r.stderr).toMatch(/cannot install [^\n]*python3/);
    expect(r.stderr).toContain("plugstack fetch --packages");
    // the user goes back to the connected machine; this attempt is thrown away
    const clean = await inside("cd lacking && plugstack clean");
    expect(clean.code, show(clean)).toBe(0);
    rmSync(join(root, "root/lacking"), { recursive: true });
    rmSync(join(root, "root/.cache"), { recursive: true });
    rmSync(join(root, "usr/local/bin/plugstack"));
  });

  for (const round of [1, 2]) {
    test(`isolated side, run ${round}: ${steps.isolated.join("; ")}`, async () => {
      // only the binary and the bundle are copied in
      cpSync(BIN, join(root, "usr/local/bin/plugstack"));
      chmodSync(join(root, "usr/local/bin/plugstack"), 0o755);
      cpSync(join(connected, "stack.bundle"), join(root, "root/stack.bundle"));
      const aptHistory = () => (existsSync(join(root, "var/log/apt/history.log")) ? readFileSync(join(root, "var/log/apt/history.log"), "utf8") : "");
      const history = aptHistory();
      for (const [i, line] of steps.isolated.entries()) {
        // run 1 is traced: every program started on the target is logged
        const trace = round === 1 ? join(tmp, `trace-${i}`) : undefined;
        if (trace) traces.push(trace);
        const r = await inside(line, trace);
        expect(r.code, `${line}\n${show(r)}`).toBe(0);
        const all = r.stdout + r.stderr;
        if (line.includes("bundle import")) {
          if (round === 1) expect(all).toContain("wrote /root/local.conf");
          else expect(all).toContain("nothing to do");
        }
        if (line.includes("stack --frozen")) {
          const page = await inside(askService);
          expect(page.stdout, show(page)).toContain("hello from plugstack");
          expect(readFileSync(join(root, "opt/stack/data/hello-check/page"), "utf8")).toContain("hello from plugstack");
          expect(existsSync(join(root, "usr/bin/python3"))).toBe(true);
          if (round === 2) expect(aptHistory()).toBe(history); // python3 is there: apt is not run again
        }
        if (line.includes("status")) expect(all).not.toContain("DRIFT");
        if (line.includes("unstack")) {
          const gone = await inside(askService);
          expect(gone.code, "the service still answers after unstack").not.toBe(0);
        }
      }
      if (round === 1) expect(aptHistory()).toContain("python3");
    });
  }

  test("unstack and clean left the root as it was, apart from the packages", () => {
    const newPackages = installedPackages().filter((p) => !packagesBefore.includes(p));
    expect(newPackages).toContain("python3");
    const fromPackages = packageOwned(newPackages);
    const after = pictureOf(root, (p) => ["/proc", "/dev", "/run"].includes(p));
    // what the user brought, what import wrote, and DEST itself with $FILES, the download cache clean
    // keeps as clean.sh keeps files/ (empty: this stack downloads nothing)
    const list = (d: string) => (existsSync(join(root, d)) ? readdirSync(join(root, d)) : []);
    expect(list("opt/stack").filter((e) => e !== ".plugstack")).toEqual([]);
    expect(list("opt/stack/.plugstack").filter((e) => e !== "files")).toEqual([]);
    expect(list("opt/stack/.plugstack/files")).toEqual([]);
    const brought = (p: string) =>
      [
        "/usr/local/bin/plugstack",
        "/root/stack.bundle",
        "/root/local.conf",
        "/root/local.conf.lock",
        "/opt/stack",
        "/opt/stack/.plugstack",
        "/opt/stack/.plugstack/files",
      ].includes(p) ||
      p === "/root/.cache" ||
      p.startsWith("/root/.cache/plugstack");
    const changed: string[] = [];
    for (const [path, what] of after) {
      if (before.get(path) !== what && !fromPackages(path) && !brought(path)) changed.push(`${before.has(path) ? "changed" : "added"} ${path}: ${what}`);
    }
    for (const path of before.keys()) if (!after.has(path) && !fromPackages(path)) changed.push(`removed ${path}`);
    expect(changed).toEqual([]);
    expect(readdirSync(join(root, "tmp"))).toEqual([]);
  });

  test("what plugstack, its library and the stack ran on the target is what the README lists, plus the stack's packages", async () => {
    const listed = targetPackages();
    expect(listed.length).toBeGreaterThan(0);
    const newPackages = installedPackages().filter((p) => !packagesBefore.includes(p));
    const programs = [...new Set(traces.flatMap((t) => [...executedPrograms(t)]))]
      .sort()
      // plugstack itself, and the maintainer scripts of the packages being installed
      .filter((p) => p !== "/usr/local/bin/plugstack" && !p.startsWith("/var/lib/dpkg/"));
    const owners = new Map<string, string>();
    for (const prog of programs) {
      // through /etc/alternatives and merged /usr to the path a package lists
      const r = await box!.run('p=$(readlink -f "$PROG"); dpkg -S "$p" 2>/dev/null || dpkg -S "/${p#/usr/}"', { PROG: prog });
      const owner = r.code === 0 ? /^(?:diversion by (\S+) from|([^:,]+)[:,])/.exec(r.stdout) : null;
      owners.set(prog, owner ? (owner[1] ?? owner[2]!).trim() : "(no package)");
    }
    console.error(
      `programs run on the target, by package:\n${[...owners]
        .map(([p, o]) => `  ${o.padEnd(20)} ${p}`)
        .sort()
        .join("\n")}`,
    );
    const unlisted = [...owners].filter(([, o]) => !listed.includes(o) && !newPackages.includes(o));
    expect(unlisted).toEqual([]);
    // and the bare root is exactly that: every package README lists is in it
    expect(listed.filter((p) => !packagesBefore.includes(p))).toEqual([]);
  });
});

/** The Debian packages README's "What the target needs" names: the backquoted words of the line after its marker. */
function targetPackages(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf("<!-- target-packages: test/acceptance/airgap.test.ts checks this line -->");
  const line = at < 0 ? "" : (readme.slice(at).split("\n")[1] ?? "");
  return [...line.matchAll(/`([a-z0-9.+-]+)`/g)].map((m) => m[1]!);
}
