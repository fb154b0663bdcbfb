// Three hosts (network namespaces with their own sshd and /opt) stacked by
// deploy/ansible's playbooks: one lock for all, controller first, subnodes
// in parallel, a failure that stops the play, changed=0 on a repeat,
// unstack and clean, and the air-gapped variant from a bundle.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseLock } from "../../src/plugins/lockfile.ts";
import { BIN, ROOT } from "../e2e/harness.ts";
import { collectOutput } from "../helpers/process.ts";
import { FAIL_LINE, type FixtureRepos, makeFixtureRepos, pluginUrl, writeInventory } from "./fixture.ts";
import { createLab, type Lab, labUnavailable } from "./lab.ts";

/** Each test runs one or two plays over ssh; on a loaded machine a play can take minutes. */
const PLAY_TIMEOUT = 600_000;

const skip = labUnavailable();
if (skip) console.log(`test/multinode skipped: ${skip}`);

let lab: Lab;
let repos: FixtureRepos;
/** the lab being built: afterAll takes it down even when beforeAll gave up waiting for it */
let building: Promise<Lab> | undefined;

beforeAll(async () => {
  if (skip) return;
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
  building = createLab(["ctl", "sub1", "sub2"]);
  lab = await building;
  repos = makeFixtureRepos(lab);
}, PLAY_TIMEOUT);

afterAll(async () => {
  const built = await building?.catch(() => undefined);
  await built?.teardown();
}, PLAY_TIMEOUT);

async function playbook(name: string, inventory: string, vars: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const args = ["ansible-playbook", "-i", inventory, join(ROOT, "deploy", "ansible", name)];
  for (const [k, v] of Object.entries(vars)) args.push("-e", `${k}=${v}`);
  const proc = Bun.spawn(args, { cwd: lab.dir, env: lab.ansibleEnv(), stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const r = await collectOutput(proc);
  return { code: r.code, out: r.stdout + r.stderr };
}

/** PLAY RECAP counters per host. */
function recap(out: string): Record<string, Record<string, number>> {
  const rows: Record<string, Record<string, number>> = {};
  for (const m of out.matchAll(/^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$/gm)) {
    rows[m[1]!] = Object.fromEntries([...m[2]!.matchAll(/(\w+)=(\d+)/g)].map((x) => [x[1]!, Number(x[2])]));
  }
  return rows;
}

function head(host: Lab["hosts"][number], dir: string): string {
  return lab.inHost(host, ["git", "-C", dir, "rev-parse", "HEAD"]).stdout.trim();
}

function results(name: string): string {
  return join(lab.dir, name);
}

describe.skipIf(!!skip)("deploy/ansible on three namespace hosts", () => {
  const inventory = () => join(lab.dir, "inventory.yml");
  const base = () => ({ plugstack_binary: BIN, plugstack_results_dir: results("results"), plugstack_control_cache_dir: join(lab.dir, "control-cache") });

  test(
    "stack.yml stacks every host at the given lock's commits, controller first; subnodes reach its service",
    async () => {
      lab.setGitRoute(true);
      writeInventory(lab, inventory());
      // the given lock pins the older commits; master has moved on since
      const lockFile = join(lab.dir, "given.lock");
      const lockText = [
        "version = 1",
        "",
        ...["ps-agent", "ps-api"].flatMap((n) => [
          "[[plugin]]",
          `name = "${n}"`,
          `url = "${pluginUrl(n)}"`,
          'ref = "master"',
          `commit = "${(n === "ps-api" ? repos.api : repos.agent).commits[0]}"`,
          "",
        ]),
      ].join("\n");
      await Bun.write(lockFile, lockText);
      const r = await playbook("stack.yml", inventory(), { ...base(), plugstack_lock: lockFile });
      expect(r.code, r.out).toBe(0);
      const [ctl, sub1, sub2] = lab.hosts;
      for (const h of lab.hosts) {
        expect(head(h!, "/opt/stack/ps-api")).toBe(repos.api.commits[0]!);
        expect(head(h!, "/opt/stack/ps-agent")).toBe(repos.agent.commits[0]!);
        const state = JSON.parse(readFileSync(join(results("results"), h!.name, "state.json"), "utf8"));
        expect(Object.fromEntries(state.plugins.map((p: { name: string; commit: string }) => [p.name, p.commit]))).toEqual({
          "ps-api": repos.api.commits[0],
          "ps-agent": repos.agent.commits[0],
        });
        expect(existsSync(join(results("results"), h!.name, "plugstack-stack.log"))).toBe(true);
      }
      for (const s of [sub1!, sub2!]) expect(lab.inHost(s, ["cat", "/opt/stack/ps-agent-saw"]).stdout).toBe(`${ctl!.address} answered\n`);
      // local.conf as DevStack's role writes it: services, addresses, plugins in plugin_requires order
      const conf = lab.inHost(sub1!, ["cat", "/opt/stack/local.conf"]).stdout;
      expect(conf).toBe(
        [
          "[[local|localrc]]",
          "disable_all_services",
          "enable_service ps-agent",
          'ADMIN_PASSWORD="secret"',
          `HOST_IP="${sub1!.address}"`,
          'LOGDIR="$DEST/logs"',
          'PLUGSTACK_HOST_SETUP="False"',
          `SERVICE_HOST="${ctl!.address}"`,
          `enable_plugin ps-api ${pluginUrl("ps-api")}`,
          `enable_plugin ps-agent ${pluginUrl("ps-agent")}`,
          "",
          "",
        ].join("\n"),
      );
      // the controller finished stacking before any subnode started
      const ctlState = JSON.parse(readFileSync(join(results("results"), ctl!.name, "state.json"), "utf8"));
      for (const s of [sub1!, sub2!]) {
        const subState = JSON.parse(readFileSync(join(results("results"), s.name, "state.json"), "utf8"));
        expect(Date.parse(subState.runs.stack.startedAt)).toBeGreaterThan(Date.parse(ctlState.runs.stack.finishedAt));
      }
    },
    PLAY_TIMEOUT,
  );

  test(
    "a second stack.yml with nothing changed reports changed=0",
    async () => {
      const r = await playbook("stack.yml", inventory(), { ...base(), plugstack_lock: join(lab.dir, "given.lock") });
      expect(r.code, r.out).toBe(0);
      const rows = recap(r.out);
      for (const h of lab.hosts) expect(rows[h.name], r.out).toMatchObject({ changed: 0, failed: 0 });
    },
    PLAY_TIMEOUT,
  );

  test(
    "unstack.yml stops the service; clean.yml removes what plugstack made on every host",
    async () => {
      const [ctl, sub1] = lab.hosts;
      const probe = () => lab.inHost(sub1!, ["bash", "-c", `exec 3<>/dev/tcp/${ctl!.address}/8080`]).code;
      expect(probe()).toBe(0);
      const un = await playbook("unstack.yml", inventory(), base());
      expect(un.code, un.out).toBe(0);
      expect(probe()).not.toBe(0);
      const cl = await playbook("clean.yml", inventory(), base());
      expect(cl.code, cl.out).toBe(0);
      for (const h of lab.hosts) {
        const left = lab.inHost(h, ["ls", "-A", "/opt/stack"]).stdout.split("\n").filter(Boolean);
        expect(left.filter((f) => ["ps-api", "ps-agent", ".plugstack"].includes(f))).toEqual([]);
        expect(lab.inHost(h, ["test", "-e", "/opt/plugstack/cache"]).code).not.toBe(0);
      }
    },
    PLAY_TIMEOUT,
  );

  test(
    "air-gapped: with a bundle made on the control machine, hosts with no route to its git server stack",
    async () => {
      lab.setGitRoute(false);
      const [ctl] = lab.hosts;
      const unreachable = lab.inHost(ctl!, ["git", "ls-remote", pluginUrl("ps-api")]);
      expect(unreachable.code).not.toBe(0);
      expect(unreachable.stderr).toMatch(/unreachable|No route/i);
      writeInventory(lab, inventory());
      const bundle = join(lab.dir, "stack.bundle");
      const out = results("airgapped");
      const r = await playbook("stack.yml", inventory(), { ...base(), plugstack_results_dir: out, plugstack_bundle: bundle });
      expect(r.code, r.out).toBe(0);
      expect(existsSync(bundle)).toBe(true);
      const lock = parseLock(readFileSync(join(out, "control", "local.conf.lock"), "utf8"));
      expect(lock.plugins.map((p) => [p.name, p.commit])).toEqual([
        ["ps-agent", repos.agent.commits[1]],
        ["ps-api", repos.api.commits[1]],
      ]);
      for (const h of lab.hosts) {
        expect(head(h, "/opt/stack/ps-api")).toBe(repos.api.commits[1]!);
        expect(head(h, "/opt/stack/ps-agent")).toBe(repos.agent.commits[1]!);
      }
    },
    PLAY_TIMEOUT,
  );

  test(
    "a failing hook on one subnode stops the play, naming the host and file:line",
    async () => {
      // on top of the air-gapped stack: the lock and bundle stay, sub2's install hook now fails
      writeInventory(lab, inventory(), {}, { sub2: { devstack_localrc: { PS12_FAIL: true, PLUGSTACK_HOST_SETUP: "False" } } });
      const out = results("failure");
      const r = await playbook("stack.yml", inventory(), { ...base(), plugstack_results_dir: out, plugstack_bundle: join(lab.dir, "stack.bundle") });
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(new RegExp(`plugstack stack failed on ps12-sub2 .*ps-agent/devstack/plugin\\.sh:${FAIL_LINE}`));
      expect(recap(r.out)["ps12-sub2"]).toMatchObject({ failed: 1 });
      expect(r.out).toContain("NO MORE HOSTS LEFT");
      // its state.json and log came back all the same
      const state = JSON.parse(readFileSync(join(out, "ps12-sub2", "state.json"), "utf8"));
      expect(state.runs.stack).toMatchObject({ status: "failed", failure: { plugin: "ps-agent", line: FAIL_LINE } });
    },
    PLAY_TIMEOUT,
  );
});
