// The library compatibility fixture plugins (test/compat/fixtures), stacked,
// unstacked and cleaned by the compiled binary with shimmed system tools:
// every pattern of compat/patterns.md through the real stack shell, and the
// repos they clone with git_clone pinned as [[repo]] lock entries.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES, SHIM, SHIMMED_TOOLS } from "../compat/harness.ts";
import { makeRepo, tempDir } from "../helpers/git.ts";
import { plugstack } from "./harness.ts";

const RUN_ORDER = ["fx-plain", "fx-core", "fx-case", "fx-services", "fx-network"];

let work: ReturnType<typeof tempDir>;
let conf: string;
let env: Record<string, string>;
let dest: string;

beforeAll(() => {
  work = tempDir("plugstack-compat-e2e-");
  const bin = join(work.path, "bin");
  mkdirSync(bin);
  for (const tool of SHIMMED_TOOLS) symlinkSync(SHIM, join(bin, tool));
  for (const d of ["state", "sysroot/etc"]) mkdirSync(join(work.path, d), { recursive: true });
  writeFileSync(join(work.path, "calls.log"), "");
  const extra = makeRepo(join(work.path, "repos", "fx-extra"), { files: { "README.md": "extra\n" } });
  const cfg = join(work.path, "cfg");
  for (const name of [...RUN_ORDER, "fx-dies"]) cpSync(join(FIXTURES, name), join(cfg, "plugins", name), { recursive: true });
  dest = join(work.path, "dest");
  const sys = join(work.path, "sysroot");
  conf = join(cfg, "local.conf");
  writeFileSync(
    conf,
    [
      "[[local|localrc]]",
      `DEST=${dest}`,
      `FX_REPO_URL=${extra.url}`,
      "LIBS_FROM_GIT=fx-lib",
      "GLOBAL_VENV=False",
      "PIP=pip",
      "SERVICE_HOST=10.0.0.5",
      "HOST_IP=10.0.0.5",
      `KEYSTONE_CONF_DIR=${sys}/etc/keystone`,
      `NEUTRON_CONF_DIR=${sys}/etc/neutron`,
      `NOVA_CONF_DIR=${sys}/etc/nova`,
      `SWIFT_CONF_DIR=${sys}/etc/swift`,
      `OVS_SOURCE_CTL=${sys}/usr/local/share/openvswitch/scripts/ovs-ctl`,
      ...RUN_ORDER.map((n) => `enable_plugin ${n} plugins/${n}`),
      "",
    ].join("\n"),
  );
  env = {
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    SHIM_LOG: join(work.path, "calls.log"),
    SHIM_STATE: join(work.path, "state"),
    PLUGSTACK_SYSROOT: sys,
    PLUGSTACK_SYSTEMD: "True",
    PLUGSTACK_NONINTERACTIVE: "True",
    SYSTEMD_DIR: join(sys, "etc/systemd/system"),
    APACHE_RESTART_PAUSE: "0",
    PLUGSTACK_CACHE: join(work.path, "cache"),
  };
});
afterAll(() => work?.cleanup());

describe("fixture plugins through the binary", () => {
  test("stack runs every phase of every plugin", async () => {
    const r = await plugstack(["stack", "-c", conf, "-v"], { cwd: work.path, env });
    if (r.code !== 0) throw new Error(`stack failed (${r.code}):\n${r.stderr.slice(-6000)}`);
    for (const p of RUN_ORDER) expect(r.stderr).toContain(p);
  });

  test("repos cloned by git_clone are pinned as [[repo]] entries", () => {
    const lock = readFileSync(`${conf}.lock`, "utf8");
    expect(lock).toContain("[[repo]]");
    expect(lock).toMatch(/requested_by = "fx-(core|case)"/);
  });

  test("unstack and clean run", async () => {
    const un = await plugstack(["unstack", "-c", conf], { cwd: work.path, env });
    if (un.code !== 0) throw new Error(`unstack failed (${un.code}):\n${un.stderr.slice(-4000)}`);
    const cl = await plugstack(["clean", "-c", conf], { cwd: work.path, env });
    if (cl.code !== 0) throw new Error(`clean failed (${cl.code}):\n${cl.stderr.slice(-4000)}`);
  });
});
