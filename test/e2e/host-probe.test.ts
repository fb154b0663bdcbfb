// stackrc's questions to the host (uname -m, nproc, hostname -s, id -gn and
// ip for HOST_IP and HOST_IPV6), through the compiled binary with real bash:
// plugstack asks them with one probe it starts with itself, while it
// prepares the run, and stackrc takes the answers while PATH (and
// HOST_IP_IFACE, OMP_NUM_THREADS, OMP_THREAD_LIMIT) is what it was then.
// The programs here are fixtures first on PATH that answer with values no
// host has and log each call with the directory it came from: the probe
// asks from where plugstack was started, stackrc from $TOP_DIR.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo, type Repo, tempDir } from "../helpers/git.ts";
import { plugstack } from "./harness.ts";

let work: ReturnType<typeof tempDir>;
let repo: Repo;
let calls: string;
/** the machine's own id, for the questions the fixture does not answer itself */
const REAL_ID = Bun.which("id") ?? "/usr/bin/id";

/** The host programs stackrc asks, answering with TAG in their answers and logging "PWD NAME ARGS". */
function fakeHost(dir: string, tag: string, address: string): string {
  mkdirSync(dir, { recursive: true });
  const log = `printf '%s %s %s\\n' "$PWD" "\${0##*/}" "$*" >> '${calls}'`;
  const programs: Record<string, string> = {
    ip: [
      'case "$*" in',
      "  '-f inet route') echo 'default via 198.18.9.1 dev fx0 proto static' ;;",
      `  '-f inet addr show dev fx0') echo '7: fx0: <UP> mtu 1500'; echo '    inet ${address}/24 scope global fx0' ;;`,
      "  '-f inet6 route') echo 'default via fe80::1 dev fx0 metric 1024' ;;",
      "  '-f inet6 addr show dev fx0') echo '7: fx0: <UP> mtu 1500'; echo '    inet6 2001:db8::77/64 scope global' ;;",
      "  *) exit 1 ;;",
      "esac",
    ].join("\n"),
    uname: `case $1 in -m) echo arch-${tag} ;; *) echo node-${tag} ;; esac`,
    nproc: "echo 16",
    hostname: `echo host-${tag}`,
    id: `case $1 in -gn) echo group-${tag} ;; *) exec ${REAL_ID} "$@" ;; esac`,
  };
  for (const [name, body] of Object.entries(programs)) writeFileSync(join(dir, name), `#!/bin/bash\n${log}\n${body}\n`, { mode: 0o755 });
  return dir;
}

beforeAll(() => {
  work = tempDir("plugstack-host-probe-");
  calls = join(work.path, "host-calls");
  repo = makeRepo(join(work.path, "served", "seer"), {
    files: {
      "devstack/settings": "enable_service seer\n",
      "devstack/plugin.sh": [
        "if [[ $1 == stack && $2 == install ]]; then",
        '    echo "$HOST_IP|$HOST_IPV6|$CIRROS_ARCH|$API_WORKERS|$LOCAL_HOSTNAME|$APACHE_GROUP" > "$DEST/host-seen"',
        "fi",
        "",
      ].join("\n"),
    },
  });
  fakeHost(join(work.path, "bin-a"), "a", "198.18.9.10");
  fakeHost(join(work.path, "bin-b"), "b", "198.18.9.20");
});
afterAll(() => work.cleanup());

/** Runs `plugstack COMMAND` with bin-a first on PATH and these localrc lines; where each program was asked from. */
async function run(command: string, localrc: string[]): Promise<Record<string, string[]>> {
  writeFileSync(calls, "");
  const conf = join(work.path, "local.conf");
  writeFileSync(conf, ["[[local|localrc]]", `DEST=${dest()}`, ...localrc, `enable_plugin seer ${repo.url}`, ""].join("\n"));
  const r = await plugstack([command, "-q", "-c", conf, "--cache-dir", join(work.path, "cache")], {
    cwd: work.path,
    env: { PATH: `${join(work.path, "bin-a")}:${process.env.PATH ?? "/usr/bin:/bin"}` },
  });
  expect(r.code, r.stderr).toBe(0);
  const askedFrom: Record<string, string[]> = {};
  for (const line of readFileSync(calls, "utf8").split("\n").filter(Boolean)) {
    const [pwd = "", name = ""] = line.split(" ");
    const where = pwd === work.path ? "plugstack's directory" : pwd === join(dest(), ".plugstack", "top") ? "TOP_DIR" : pwd;
    askedFrom[where] = [...(askedFrom[where] ?? []), name];
  }
  for (const names of Object.values(askedFrom)) names.sort();
  return askedFrom;
}

const dest = () => join(work.path, "dest");
const seen = () => readFileSync(join(dest(), "host-seen"), "utf8").trim();

// what stackrc asks (id: the user's group); the probe also asks id the user's name
const QUESTIONS = ["hostname", "id", "ip", "ip", "ip", "ip", "nproc", "uname"];
const PROBE_QUESTIONS = [...QUESTIONS, "id"].sort();

test("stack: the host is asked once, while plugstack prepares the run; stackrc takes the answers", async () => {
  await run("stack", []); // the first stack clones the plugin
  expect(await run("stack", [])).toEqual({ "plugstack's directory": PROBE_QUESTIONS });
  expect(seen()).toBe("198.18.9.10|2001:db8::77|arch-a|4|host-a|group-a");
});

test("a localrc that puts other programs first on PATH gets their answers, asked by stackrc", async () => {
  expect(await run("stack", [`PATH=${join(work.path, "bin-b")}:$PATH`])).toEqual({ "plugstack's directory": PROBE_QUESTIONS, TOP_DIR: QUESTIONS });
  expect(seen()).toBe("198.18.9.20|2001:db8::77|arch-b|4|host-b|group-b");
});

test("a localrc HOST_IP_IFACE is asked about by stackrc", async () => {
  const askedFrom = await run("stack", ["HOST_IP_IFACE=fx9"]);
  // fx9 has no address here: HOST_IP falls back to 127.0.0.1, as without the probe
  expect(seen()).toBe("127.0.0.1||arch-a|4|host-a|group-a");
  expect(askedFrom.TOP_DIR).toEqual(
    QUESTIONS.filter((q) => q !== "ip")
      .concat(["ip", "ip"])
      .sort(),
  );
});

test("a localrc that runs a command (what it leaves on the host is known only after it ran) is followed by stackrc's own questions", async () => {
  const askedFrom = await run("stack", ["true"]);
  expect(askedFrom.TOP_DIR).toEqual(QUESTIONS);
  expect(seen()).toBe("198.18.9.10|2001:db8::77|arch-a|4|host-a|group-a");
});

test("unstack takes the answers; clean's own shell, after the unstack hooks, asks again", async () => {
  expect(await run("unstack", [])).toEqual({ "plugstack's directory": PROBE_QUESTIONS });
  expect(await run("clean", [])).toEqual({ "plugstack's directory": PROBE_QUESTIONS, TOP_DIR: QUESTIONS });
});
