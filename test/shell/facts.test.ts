// system.sh's facts (_ps_fact_user, _ps_fact_group, _ps_fact_hostname,
// _ps_fact_machine): each is the answer of the command DevStack runs for it
// (id -un, id -gn USER, hostname -s, uname -m), asked at most once per shell.
// The user name comes from bash itself where it can; these tests hold it to
// `id -un` run by the same user: root, nobody, and a uid with no name.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { callRecorder } from "../helpers/process.ts";
import { makeSandbox, runScript, type Sandbox } from "./helpers.ts";

let sb: Sandbox;
beforeAll(() => {
  sb = makeSandbox();
  // other users source the library too
  chmodSync(sb.root, 0o755);
});
afterAll(() => sb.cleanup());

/** `bash -c SCRIPT` as another user, through WRAPPER (runuser, setpriv); stdout and stderr. */
function asUser(wrapper: string[], script: string): { out: string; err: string; code: number } {
  const r = Bun.spawnSync([...wrapper, "bash", "--norc", "--noprofile", "-c", script], {
    cwd: sb.root,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { out: r.stdout.toString(), err: r.stderr.toString(), code: r.exitCode ?? -1 };
}

const USERS: [string, string[]][] = [
  ["root", ["runuser", "-u", "root", "--"]],
  ["nobody", ["runuser", "-u", "nobody", "--"]],
  ["a uid with no name", ["setpriv", "--reuid=54321", "--regid=54321", "--clear-groups"]],
];

const notRoot = process.getuid?.() !== 0;
if (notRoot) console.log("[skip] the user name for other users: switching users needs root");

for (const [who, wrapper] of USERS) {
  test.skipIf(notRoot)(`the user name is what id -un prints, for ${who}`, () => {
    const want = asUser(wrapper, "id -un");
    // (the defaults that run at load ask for the user too: asked again here)
    const got = asUser(wrapper, `source ${join(sb.top, "functions")} 2>/dev/null; unset _PS_FACT_USER; _ps_fact_user; printf '%s\\n' "$_PS_FACT_USER"`);
    expect(got.out).toBe(want.out);
    // the same message on stderr where id has no name to give
    expect(got.err).toBe(want.err);
  });
}

test("each fact is its command's answer, asked once however often it is wanted", () => {
  const facts = callRecorder(sb.root, ["id", "hostname", "uname"]);
  const user = Bun.spawnSync(["id", "-un"]).stdout.toString().trim();
  const r = runScript(
    sb.root,
    `export PATH=${facts.env.PATH}
source ${join(sb.top, "functions")}
for i in 1 2 3; do
    _ps_fact_hostname; _ps_fact_machine; _ps_fact_group ${user}; _ps_fact_group; _ps_fact_user
    is_arch "$_PS_FACT_MACHINE" || echo "is_arch disagrees"
done
printf '%s\\n' "$_PS_FACT_HOSTNAME" "$_PS_FACT_MACHINE" "\${_PS_FACT_GROUP[x${user}]}" "\${_PS_FACT_GROUP[x]}" "$_PS_FACT_USER"
`,
  );
  expect(r.stderr).toBe("");
  const real = (cmd: string[]) => Bun.spawnSync(cmd).stdout.toString().trim();
  expect(r.stdout.trim().split("\n")).toEqual([real(["hostname", "-s"]), real(["uname", "-m"]), real(["id", "-gn", user]), real(["id", "-gn"]), user]);
  expect(facts.take().sort()).toEqual(["hostname -s", `id -gn ${user}`, "id -gn", "uname -m"].sort());
});
