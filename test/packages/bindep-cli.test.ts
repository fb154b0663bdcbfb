// `plugstack bindep` end to end: real files, the real package database (dpkg-query) on this machine.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBindepArgs } from "../../src/cli/bindep.ts";
import { UsageError } from "../../src/errors.ts";
import { runBindep } from "../../src/packages/bindep-run.ts";
import { detectDistro } from "../../src/packages/distro.ts";
import { collectOutput } from "../helpers/process.ts";

const CLI = join(import.meta.dir, "helpers", "bindep-cli.ts");
const FIXTURES = join(import.meta.dir, "..", "fixtures", "os-release");
const onDpkg = Bun.which("dpkg-query") !== null && (await detectDistro()).query === "dpkg";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ps-bindep-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function project(files: Record<string, string>): Promise<string> {
  const d = await mkdtemp(join(dir, "p-"));
  for (const [name, text] of Object.entries(files)) {
    if (text === "<dir>") await mkdir(join(d, name));
    else await writeFile(join(d, name), text);
  }
  return d;
}

async function cli(cwd: string, args: string[], stdin?: string) {
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    cwd,
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return collectOutput(proc);
}

const FILE = [
  "# real packages of every Debian system, and one that does not exist",
  "libc6 [platform:dpkg] >=2.0",
  "bash",
  "plugstack-no-such-package",
  "plugstack-rpm-only [platform:rpm]",
  "plugstack-test-only [test]",
  "libc6 [(platform:dpkg test)] <1.0",
  "coreutils ==0.0-bogus",
].join("\n"); // no trailing newline: the last rule still counts

describe.skipIf(!onDpkg)("plugstack bindep on this Debian machine", () => {
  test("reports missing packages and bad versions, exit 1", async () => {
    const cwd = await project({ "bindep.txt": FILE });
    const r = await cli(cwd, []);
    expect(r.code).toBe(1);
    const coreutils = Bun.spawnSync(["dpkg-query", "-W", "-f", "${Version}", "coreutils"]).stdout.toString().trim();
    expect(r.stdout).toBe(
      `Missing packages:\n    plugstack-no-such-package\nBad versions of installed packages:\n    coreutils version ${coreutils} does not match ==0.0-bogus\n`,
    );
  });

  test("profiles as arguments replace 'default'", async () => {
    const cwd = await project({ "bindep.txt": FILE });
    const r = await cli(cwd, ["-b", "test"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("plugstack-no-such-package\nplugstack-test-only\n");
  });

  test("nothing missing: no output, exit 0", async () => {
    const cwd = await project({ "other-requirements.txt": "bash\nlibc6 [platform:dpkg]\n" });
    expect(await cli(cwd, [])).toMatchObject({ stdout: "", code: 0 });
  });

  test("-l csv lists every active package, file order", async () => {
    const cwd = await project({ "bindep.txt": FILE });
    const r = await cli(cwd, ["-l", "csv"]);
    expect(r).toMatchObject({ stdout: "libc6,bash,plugstack-no-such-package,coreutils\n", code: 0 });
  });

  test("--profiles lists this platform and the file's profiles", async () => {
    const cwd = await project({ "bindep.txt": FILE });
    const r = await cli(cwd, ["--profiles"]);
    const atoms = (await detectDistro()).platformAtoms;
    expect(r.stdout).toBe(["Platform profiles:", ...atoms, "", "Configuration profiles:", "platform:dpkg", "test", ""].join("\n"));
    expect(r.code).toBe(0);
  });

  test("-f - reads stdin", async () => {
    const r = await cli(dir, ["--brief", "-f", "-"], "bash\nplugstack-no-such-package\n");
    expect(r).toMatchObject({ stdout: "plugstack-no-such-package\n", code: 1 });
  });
});

describe("plugstack bindep usage and parse errors exit 2", () => {
  test("both default files present", async () => {
    const cwd = await project({ "bindep.txt": "bash\n", "other-requirements.txt": "bash\n" });
    const r = await cli(cwd, []);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Both bindep.txt and other-requirements.txt files exist, choose one.");
  });
  test("neither default file (a directory does not count)", async () => {
    const cwd = await project({ "bindep.txt": "<dir>" });
    const r = await cli(cwd, []);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Neither file bindep.txt nor file other-requirements.txt exist.");
  });
  test("unreadable -f file", async () => {
    const r = await cli(dir, ["-f", "nope.txt"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Error reading file nope.txt.");
  });
  test("a parse error names file:line:col", async () => {
    const cwd = await project({ "bindep.txt": "bash\nfoo [Bad]\n" });
    const r = await cli(cwd, []);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bindep.txt:2:6:");
  });
  test("an invalid -l choice", async () => {
    const r = await cli(dir, ["-l", "xml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid choice: 'xml'");
  });
});

describe("parseBindepArgs (argparse rules)", () => {
  const base = { brief: false, showProfiles: false, profiles: [], version: false, json: false };
  const cases: [string, string[], object][] = [
    ["nothing", [], base],
    ["-b and a profile", ["-b", "test"], { ...base, brief: true, profiles: ["test"] }],
    ["clustered -bl csv", ["-bl", "csv"], { ...base, brief: true, listAll: "csv" }],
    ["-fFILE", ["-fx.txt"], { ...base, file: "x.txt" }],
    ["--file=FILE", ["--file=x.txt"], { ...base, file: "x.txt" }],
    ["-f - (stdin)", ["-f", "-"], { ...base, file: "-" }],
    ["abbreviated --prof", ["--prof"], { ...base, showProfiles: true }],
    ["--list_all newline", ["--list_all", "newline"], { ...base, listAll: "newline" }],
    ["options after profiles", ["a", "-b", "b"], { ...base, brief: true, profiles: ["a", "b"] }],
    ["-- ends options", ["--", "-x"], { ...base, profiles: ["-x"] }],
  ];
  for (const [name, argv, want] of cases) test(name, () => expect(parseBindepArgs(argv)).toEqual(want as never));

  const bad: [string, string[]][] = [
    ["unknown option", ["-x"]],
    ["unknown long option", ["--nope"]],
    ["--version with a value", ["--versio=1"]],
    ["missing value", ["-f"]],
    ["value that is an option", ["-f", "-b"]],
    ["--brief with a value", ["--brief=1"]],
  ];
  for (const [name, argv] of bad) test(name, () => expect(() => parseBindepArgs(argv)).toThrow(UsageError));
});

describe("runBindep with a fixture distro and given installed versions", () => {
  test("Fedora: rpm selectors apply, rpm ordering for constraints", async () => {
    const cwd = await project({
      "bindep.txt": "gcc [platform:rpm]\nbuild-essential [platform:dpkg]\npython3-devel [(platform:redhat platform:base-py3)] >=3.1\n",
    });
    const distro = await detectDistro({ root: join(FIXTURES, "fedora-40") });
    const installed = async (names: string[]) => new Map(names.map((n) => [n, n === "python3-devel" ? "3.a-1.fc40" : null] as const));
    const r = await runBindep({ cwd, distro, installed });
    // rpm: a numeric segment is newer than an alpha one, so 3.a < 3.1 (dpkg would say 3.a > 3.1)
    expect(r.stdout).toBe("Missing packages:\n    gcc\nBad versions of installed packages:\n    python3-devel version 3.a-1.fc40 does not match >=3.1\n");
    expect(r.exitCode).toBe(1);
  });
});
