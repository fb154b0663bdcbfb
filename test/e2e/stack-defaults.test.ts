// The service libraries' derived defaults in the stack shell, through the
// compiled binary with real bash: they are computed once, after localrc (as
// DevStack sources its lib/* files after stackrc and localrc), so they follow
// what localrc set; and the facts they ask the machine for (short host name,
// machine type, a user's group) are asked once per run. Wrappers first on
// PATH log each call of `hostname`, `uname` and `id` and run the real command.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, type Repo, tempDir } from "../helpers/git.ts";
import { type CallRecorder, callRecorder } from "../helpers/process.ts";
import { plugstack } from "./harness.ts";

let work: ReturnType<typeof tempDir>;
let repo: Repo;
let facts: CallRecorder;

const SEEN = [
  "STACK_GROUP",
  "APACHE_USER",
  "APACHE_GROUP",
  "KEYSTONE_REGION_NAME",
  "ML2_L3_PLUGIN",
  "LOCAL_HOSTNAME",
  "CIRROS_ARCH",
  "ETCD_ARCH",
  "NOVA_BIN_DIR",
  "DISTRO",
];

/** The real command's answer (what the defaults must equal). */
function real(cmd: string[]): string {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "ignore" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: the test needs it`);
  return r.stdout.toString().trim();
}

beforeAll(() => {
  work = tempDir("plugstack-stack-defaults-");
  facts = callRecorder(work.path, ["hostname", "uname", "id"]);
  const record = SEEN.map((v) => `"${v}=\${${v}-}"`).join(" ");
  repo = makeRepo(join(work.path, "served", "probe"), {
    files: { "devstack/settings": `enable_service probe\nprintf '%s\\n' ${record} > "$DEST/defaults-seen"\n`, "devstack/plugin.sh": ":\n" },
  });
});
afterAll(() => work.cleanup());

const nobodyGroup = Bun.spawnSync(["id", "-gn", "nobody"], { stdout: "pipe", stderr: "ignore" });
if (nobodyGroup.exitCode !== 0) console.log("[skip] stack defaults: this machine has no user 'nobody' to name in STACK_USER");

test.skipIf(nobodyGroup.exitCode !== 0)("derived defaults follow localrc, and each fact is asked once per run", async () => {
  const group = nobodyGroup.stdout.toString().trim();
  const machine = real(["uname", "-m"]);
  facts.take();
  const dest = join(work.path, "dest");
  const conf = join(work.path, "local.conf");
  const localrc = [`DEST=${dest}`, "STACK_USER=nobody", "REGION_NAME=RegionTwo", "Q_AGENT=openvswitch", `enable_plugin probe ${repo.url}`];
  writeFileSync(conf, ["[[local|localrc]]", ...localrc, ""].join("\n"));
  const r = await plugstack(["stack", "-q", "-c", conf, "--cache-dir", join(work.path, "cache")], {
    cwd: work.path,
    env: facts.env,
  });
  expect(r.code, r.stderr).toBe(0);
  const seen = Object.fromEntries(
    readFileSync(join(dest, "defaults-seen"), "utf8")
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  expect(seen).toMatchObject({
    // the group of localrc's STACK_USER, not of the user running plugstack
    STACK_GROUP: group,
    APACHE_USER: "nobody",
    APACHE_GROUP: group,
    // set before localrc, as DevStack's stackrc sets it: a second region keeps keystone's
    KEYSTONE_REGION_NAME: "RegionOne",
    // DevStack's lib/neutron_plugins/ml2 for an agent other than ovn
    ML2_L3_PLUGIN: "router",
    LOCAL_HOSTNAME: real(["hostname", "-s"]),
    CIRROS_ARCH: machine,
    ETCD_ARCH: ({ x86_64: "amd64", aarch64: "arm64" } as Record<string, string>)[machine] ?? machine,
    NOVA_BIN_DIR: join(dest, "data", "venv", "bin"),
  });
  expect(seen.DISTRO).not.toBe("");
  const log = facts.take();
  expect(log.filter((c) => c === "hostname -s")).toEqual(["hostname -s"]);
  expect(log.filter((c) => c === "uname -m")).toEqual(["uname -m"]);
  // the host probe asks the group of the user running plugstack while the
  // run is prepared; localrc's STACK_USER is another, so stackrc asks its own
  expect(log.filter((c) => c.startsWith("id -gn") || c.startsWith("id --group")).sort()).toEqual(
    [...new Set(["id -gn nobody", `id -gn ${real(["id", "-un"])}`])].sort(),
  );
});
