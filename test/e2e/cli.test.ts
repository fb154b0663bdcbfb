// The CLI surface: --version, --help, and the README's flag tables kept in
// step with what each command's --help says.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/git.ts";
import { plugstack, ROOT } from "./harness.ts";

const work = tempDir("plugstack-cli-");
afterAll(() => work.cleanup());
const run = (args: string[]) => plugstack(args, { cwd: work.path });
const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;

const COMMANDS = ["stack", "unstack", "clean", "plan", "status", "lock", "fetch", "verify", "bindep"];

/** `--flag` names a --help output lists. */
function helpFlags(help: string): Set<string> {
  return new Set([...help.matchAll(/(?:^|\s)(--[a-z][a-z_-]*)/gm)].map((m) => m[1]!));
}

describe("--version and --help", () => {
  test("--version prints the package version, the commit it was built from and the target", async () => {
    const r = await run(["--version"]);
    expect(r.code).toBe(0);
    const m = /^plugstack (\S+) \(commit ([0-9a-f]{40})(\+dirty)?, (linux-(?:x64|arm64))\)$/.exec(r.stdout.trim());
    expect(m, r.stdout).not.toBeNull();
    expect(m![1]).toBe(version);
    expect(m![4]).toBe(process.arch === "arm64" ? "linux-arm64" : "linux-x64");
    // the commit is one of this repository's
    expect(Bun.spawnSync(["git", "cat-file", "-e", `${m![2]}^{commit}`], { cwd: ROOT }).exitCode).toBe(0);
  });

  test("--help lists every command", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const c of [...COMMANDS, "bundle", "lib", "new", "check", "search", "add"]) expect(r.stdout).toContain(c);
    expect(r.stdout).not.toContain("internal");
  });

  const usageErrors: [string, string[], string][] = [
    ["an unknown command", ["frobnicate"], "Unknown command"],
    ["a group without its command", ["bundle"], "No command specified"],
    ["a missing required argument", ["lib", "export"], "Missing required positional argument: DIR"],
  ];
  for (const [title, args, text] of usageErrors) {
    test(`${title} is a usage error (exit 2)`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stderr + r.stdout).toContain(text);
    });
  }
});

describe("README flag tables match --help", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const commonSection = readme.slice(readme.indexOf("## Commands and flags"), readme.indexOf("Command flags:"));
  const commandSection = readme.slice(readme.indexOf("Command flags:"), readme.indexOf("Exit codes:"));
  const commonFlags = [...commonSection.matchAll(/^\| `([^`]+)`/gm)].flatMap((m) => m[1]!.match(/--[a-z][a-z_-]*/g) ?? []);
  const rows = [...commandSection.matchAll(/^\| ([^|]+) \| `([^`]+)` \|/gm)].map((m) => ({
    commands: [...m[1]!.matchAll(/`([a-z]+(?: [a-z]+)?)`/g)].map((c) => c[1]!),
    flags: m[2]!.match(/--[a-z][a-z_-]*/g) ?? [],
  }));

  test("the tables were found", () => {
    expect(commonFlags.length).toBeGreaterThan(8);
    expect(rows.length).toBeGreaterThan(8);
  });

  for (const cmd of COMMANDS.filter((c) => c !== "bindep")) {
    test(`${cmd}: every common flag of the README is in --help, and every --help flag is in the README`, async () => {
      const r = await run([cmd, "--help"]);
      expect(r.code).toBe(0);
      const help = helpFlags(r.stdout);
      for (const f of commonFlags) expect(help).toContain(f);
      const documented = new Set([...commonFlags, ...rows.filter((x) => x.commands.includes(cmd)).flatMap((x) => x.flags)]);
      for (const f of help) if (f !== "--help" && f !== "--version") expect(documented).toContain(f);
    });
  }

  // commands that take only their own flags (and add, which takes some common ones): exactly its table rows
  for (const cmd of ["bindep", "new plugin", "check", "search", "add"]) {
    test(`${cmd}: the README's ${cmd} flags are its flags`, async () => {
      const r = await run([...cmd.split(" "), "--help"]);
      expect(r.code).toBe(0);
      const help = helpFlags(r.stdout);
      const documented = rows.filter((x) => x.commands.includes(cmd)).flatMap((x) => x.flags);
      expect(documented.length).toBeGreaterThan(0);
      for (const f of documented) expect(help).toContain(f);
      for (const f of help) if (f !== "--help" && f !== "--version") expect(documented).toContain(f);
    });
  }
});
