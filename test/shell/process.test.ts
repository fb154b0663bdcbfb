// process.sh in background mode (no systemd here, as in containers): real
// processes are started with run_process, checked, and stopped.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../helpers/git.ts";
import { makeSandbox, q, runLib } from "./helpers.ts";

const sb = makeSandbox();
const dest = join(sb.root, "dest");
afterAll(() => {
  // never leave a process behind, whatever a failed test did
  runLib(sb, 'for f in "$DEST"/status/stack/*.pid; do [[ -f $f ]] && kill -KILL -- -"$(<"$f")" 2>/dev/null; done; true', { env: { DEST: dest } });
  sb.cleanup();
});

const env = { DEST: dest, PLUGSTACK_SYSTEMD: "False", SERVICE_GRACEFUL_SHUTDOWN_TIMEOUT: "2" };
const pidFile = (name: string) => join(dest, "status/stack", `${name}.pid`);
/** running, not an unreaped zombie (nobody reaps orphans in some containers) */
const alive = (pid: number) => {
  const out = Bun.spawnSync(["ps", "-o", "stat=", "-p", String(pid)])
    .stdout.toString()
    .trim();
  return out !== "" && !out.startsWith("Z");
};
const groupMembers = (pgid: number) =>
  Bun.spawnSync(["ps", "-o", "pid=,stat=", "-g", String(pgid)])
    .stdout.toString()
    .trim()
    .split("\n")
    .filter((l) => l.trim() && !/\sZ/.test(l));

async function answers(port: number): Promise<number> {
  for (let i = 0; i < 50; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      return res.status;
    } catch {
      await Bun.sleep(100);
    }
  }
  return 0;
}

describe("run_process / stop_process without systemd", () => {
  test("an HTTP server: pid file, log, answers, stopped with its process group", async () => {
    const port = await freePort();
    const r = runLib(sb, `ENABLED_SERVICES=web\nrun_process web ${q(`python3 -m http.server --bind 127.0.0.1 ${port}`)}\necho started`, { env });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("started\n");
    expect(r.code).toBe(0);
    const pid = Number(readFileSync(pidFile("web"), "utf8"));
    expect(alive(pid)).toBe(true);
    expect(await answers(port)).toBe(200);
    const log = readFileSync(join(dest, "logs/web.log"), "utf8");
    expect(log).toContain(`starting web: python3 -m http.server --bind 127.0.0.1 ${port}`);

    const check = runLib(sb, "ENABLED_SERVICES=web\nservice_check", { env });
    expect(check.stdout).toBe(`web: running (pid ${pid})\n`);
    expect(check.code).toBe(0);

    const s = runLib(sb, "ENABLED_SERVICES=web\nstop_process web\necho stopped", { env });
    expect(s.stdout).toBe("stopped\n");
    expect(alive(pid)).toBe(false);
    expect(existsSync(pidFile("web"))).toBe(false);
    expect(readFileSync(join(dest, "logs/web.log"), "utf8")).toContain("stopped web");
  });

  test("children in the process group are stopped too; the group leader is the pid", () => {
    const r = runLib(sb, `ENABLED_SERVICES=tree\nrun_process tree ${q("sleep 300 & sleep 301 & wait")}`, { env });
    expect(r.code).toBe(0);
    const pid = Number(readFileSync(pidFile("tree"), "utf8"));
    expect(groupMembers(pid).length).toBeGreaterThanOrEqual(3);
    runLib(sb, "ENABLED_SERVICES=tree\nstop_process tree", { env });
    expect(groupMembers(pid)).toEqual([]);
  });

  test("a service that is not enabled is neither started nor stopped", () => {
    const r = runLib(sb, "ENABLED_SERVICES=other\nrun_process quiet 'sleep 300'\necho done", { env });
    expect(r.stdout).toBe("done\n");
    expect(existsSync(pidFile("quiet"))).toBe(false);
  });

  test("does not hold plugstack's descriptors open (event pipe, xtrace log)", () => {
    const r = runLib(
      sb,
      [
        "ENABLED_SERVICES=fdcheck",
        `exec 7>${q(join(sb.root, "events"))}`,
        "run_process fdcheck 'sleep 300'",
        `pid=$(<${q(pidFile("fdcheck"))})`,
        "ls -l /proc/$pid/fd | grep -c events || true",
        "stop_process fdcheck",
      ].join("\n"),
      { env },
    );
    expect(r.stdout).toBe("0\n");
  });

  test("a command that exits at once is reported, and service_check fails", () => {
    const r = runLib(sb, "ENABLED_SERVICES=dies\nrun_process dies 'echo bye; exit 3'\nsleep 0.3\nservice_check; echo \"rc=$?\"", { env });
    expect(r.stdout).toContain("the process exited right after starting");
    expect(r.stdout).toContain("bye");
    expect(r.stdout).toContain(`dies: not running; its log is ${join(dest, "logs/dies.log")}`);
    expect(r.stdout).toContain("rc=1");
    runLib(sb, "ENABLED_SERVICES=dies\nstop_process dies", { env });
  });

  test("starting a running service again replaces it; is_running finds it", () => {
    const first = runLib(sb, "ENABLED_SERVICES=again\nrun_process again 'sleep 311'", { env });
    expect(first.code).toBe(0);
    const pid1 = Number(readFileSync(pidFile("again"), "utf8"));
    const second = runLib(sb, "ENABLED_SERVICES=again\nrun_process again 'sleep 312'\nis_running 'sleep 312' && echo found", { env });
    expect(second.stdout).toContain("is already running");
    expect(second.stdout).toContain("found");
    expect(alive(pid1)).toBe(false);
    runLib(sb, "ENABLED_SERVICES=again\nstop_process again", { env });
  });

  test("LOGDIR and SERVICE_DIR are honoured", () => {
    const logdir = join(sb.root, "otherlogs");
    const svcdir = join(sb.root, "otherstatus");
    runLib(sb, "ENABLED_SERVICES=paths\nrun_process paths 'sleep 300'", { env: { ...env, LOGDIR: logdir, SERVICE_DIR: svcdir } });
    expect(existsSync(join(svcdir, "stack/paths.pid"))).toBe(true);
    expect(existsSync(join(logdir, "paths.log"))).toBe(true);
    runLib(sb, "ENABLED_SERVICES=paths\nstop_process paths", { env: { ...env, LOGDIR: logdir, SERVICE_DIR: svcdir } });
    expect(existsSync(join(svcdir, "stack/paths.pid"))).toBe(false);
  });
});

describe("systemd mode", () => {
  test("writes the devstack@ unit and drives it through $SYSTEMCTL", () => {
    // systemd is not running here: PLUGSTACK_SYSTEMD=True selects the unit path and
    // SYSTEMCTL is a recorder script, to check what would be asked of systemd.
    const unitDir = join(sb.root, "units");
    const calls = join(sb.root, "systemctl.calls");
    const r = runLib(
      sb,
      [
        `recorder() { echo "$*" >>${q(calls)}; [[ $1 != is-enabled ]] || return 0; }`,
        "SYSTEMCTL=recorder",
        "ENABLED_SERVICES=api",
        "run_process api '/usr/bin/foo-api --config-file /etc/foo.conf' '' nobody",
        "stop_process api",
      ].join("\n"),
      { env: { DEST: dest, PLUGSTACK_SYSTEMD: "True", SYSTEMD_DIR: unitDir } },
    );
    expect(r.stderr).toBe("");
    const unit = readFileSync(join(unitDir, "devstack@api.service"), "utf8");
    expect(unit).toContain("[Unit]\nDescription = Devstack devstack@api.service\n");
    expect(unit).toContain("ExecStart = /usr/bin/foo-api --config-file /etc/foo.conf\n");
    expect(unit).toContain("User = nobody\n");
    expect(unit).toContain("[Install]\nWantedBy = multi-user.target\n");
    expect(readFileSync(calls, "utf8")).toBe(
      "daemon-reload\nenable devstack@api.service\nstart devstack@api.service\nis-enabled devstack@api.service\nstop devstack@api.service\ndisable devstack@api.service\n",
    );
  });

  test("under systemd a relative command or sudo dies, as in DevStack", () => {
    const r = runLib(sb, "SYSTEMCTL=true\nENABLED_SERVICES=bad\nrun_process bad 'foo-api'", {
      env: { DEST: dest, PLUGSTACK_SYSTEMD: "True", SYSTEMD_DIR: join(sb.root, "units2") },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("does not start with an absolute path");
  });
});
