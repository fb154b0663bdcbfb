// The CLI surface: strict arguments (exit 2, the flag named, the closest one
// suggested, one usage line on stderr), help/version, colours, completion,
// and the README's flag tables kept in step with what each command's --help says.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/git.ts";
import { plugstack, ROOT } from "./harness.ts";

const work = tempDir("plugstack-cli-");
afterAll(() => work.cleanup());
const run = (args: string[], env?: Record<string, string>) => plugstack(args, { cwd: work.path, env });
const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;

const COMMANDS = [
  "stack",
  "unstack",
  "clean",
  "plan",
  "status",
  "lock",
  "fetch",
  "verify",
  "bindep",
  "bundle create",
  "bundle import",
  "lib export",
  "new plugin",
  "check",
  "search",
  "add",
  "conf render",
];

/** `--flag` names a --help output lists. */
function helpFlags(help: string): Set<string> {
  return new Set([...help.matchAll(/(?:^|\s)(--[a-z][a-z_-]*)/gm)].map((m) => m[1]!));
}

describe("version and help", () => {
  for (const args of [["--version"], ["-V"], ["version"]]) {
    test(`${args.join(" ")} prints the package version, the commit it was built from and the target`, async () => {
      const r = await run(args);
      expect(r.code).toBe(0);
      const m = /^plugstack (\S+) \(commit ([0-9a-f]{40})(\+dirty)?, (linux-(?:x64|arm64))\)$/.exec(r.stdout.trim());
      expect(m, r.stdout).not.toBeNull();
      expect(m![1]).toBe(version);
      expect(m![4]).toBe(process.arch === "arm64" ? "linux-arm64" : "linux-x64");
      // the commit is one of this repository's
      expect(Bun.spawnSync(["git", "cat-file", "-e", `${m![2]}^{commit}`], { cwd: ROOT }).exitCode).toBe(0);
    });
  }

  test("version --json has version, commit and target", async () => {
    const r = await run(["version", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result).toMatchObject({ version, commit: expect.stringMatching(/^[0-9a-f]{40}/), target: expect.stringMatching(/^linux-/) });
  });

  test("--help lists every command but the internal one", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    for (const c of [...COMMANDS, "bundle", "lib", "new", "completion", "version", "help"]) expect(r.stdout).toContain(c.split(" ")[0]!);
    expect(r.stdout).not.toContain("internal");
    expect(r.stdout).toContain("--color");
  });

  test("help CMD and help CMD SUB print the command's help, as CMD --help does", async () => {
    const a = await run(["help", "fetch"]);
    const b = await run(["fetch", "--help"]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain("--packages");
    const sub = await run(["help", "bundle", "create"]);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("plugstack bundle create");
    expect(sub.stdout).toContain("--no-packages");
  });

  test("help of an unknown command is a usage error with a suggestion", async () => {
    const r = await run(["help", "fetsh"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "fetch"?');
  });

  test("help is plain text when piped, even without NO_COLOR; FORCE_COLOR and --color always colour it; --color never wins", async () => {
    const plain = await run(["help", "stack"], { NO_COLOR: "" });
    expect(plain.stdout).not.toContain("\x1b[");
    const forced = await run(["help", "stack"], { NO_COLOR: "", FORCE_COLOR: "1" });
    expect(forced.stdout).toContain("\x1b[");
    const always = await run(["--color", "always", "help", "stack"]);
    expect(always.stdout).toContain("\x1b[");
    const never = await run(["help", "stack", "--color=never"], { FORCE_COLOR: "1" });
    expect(never.stdout).not.toContain("\x1b[");
    const off = await run(["help", "stack"], { NO_COLOR: "", FORCE_COLOR: "0" });
    expect(off.stdout).not.toContain("\x1b[");
  });
});

describe("usage errors: exit 2, the word named, the closest valid one suggested, one usage line on stderr", () => {
  const cases: [string, string[], string[]][] = [
    ["a misspelt flag", ["fetch", "--ofline"], ["unknown flag --ofline for plugstack fetch", "did you mean --offline?"]],
    ["a misspelt short flag", ["stack", "-x"], ["unknown flag -x for plugstack stack"]],
    ["a flag the command does nothing with", ["status", "--offline"], ["plugstack status does not take --offline"]],
    ["--force on unstack (it moves no checkout)", ["unstack", "--force"], ["plugstack unstack does not take --force"]],
    ["a misspelt command", ["stak"], ['unknown command "stak"', 'did you mean "stack"?']],
    ["a misspelt subcommand", ["bundle", "craete"], ['unknown command "craete" for plugstack bundle', 'did you mean "create"?']],
    ["a group without its command", ["bundle"], ["plugstack bundle needs a command: create, import"]],
    ["no command at all", [], ["plugstack needs a command"]],
    ["only -v (--verbose, not the version)", ["-v"], ["plugstack needs a command"]],
    ["a missing required argument", ["lib", "export"], ["plugstack lib export needs DIR"]],
    ["an extra argument", ["status", "extra"], ['unexpected argument "extra" for plugstack status']],
    ["a flag without its value at the end", ["stack", "--dest"], ["--dest needs a value: --dest DIR"]],
    [
      "a flag followed by another flag instead of its value",
      ["verify", "--cache-dir", "--dest", "x"],
      ["--cache-dir needs a value, but the next word is the flag --dest"],
    ],
    ["an empty --flag= value", ["plan", "--dest="], ["--dest needs a value"]],
    ["a value given to a boolean flag", ["stack", "--offline=yes"], ["--offline takes no value"]],
    ["a bad --color", ["--color", "sometimes", "status"], ["--color takes auto, always or never"]],
    ["an unknown completion shell", ["completion", "tcsh"], ['unknown shell "tcsh"']],
  ];
  for (const [title, args, texts] of cases) {
    test(`${title}: plugstack ${args.join(" ")}`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      for (const t of texts) expect(r.stderr).toContain(t);
      expect(r.stdout).toBe("");
      const usage = r.stderr.split("\n").filter((l) => l.startsWith("usage: plugstack"));
      expect(usage).toHaveLength(1);
      expect(r.stderr).not.toContain("OPTIONS\n"); // not the whole help
    });
  }

  test("a typo never reaches the network or the cache: fetch --ofline with an empty cache", async () => {
    const r = await run(["fetch", "--ofline", "--cache-dir", join(work.path, "empty-cache")]);
    expect(r.code).toBe(2);
    expect(readdirOrEmpty(join(work.path, "empty-cache"))).toEqual([]);
  });

  test("with --json a usage error is an envelope on stdout too", async () => {
    const r = await run(["verify", "--json", "--ful"]);
    expect(r.code).toBe(2);
    const e = JSON.parse(r.stdout);
    expect(e).toMatchObject({ schema: "plugstack/1", command: "verify", ok: false, exitCode: 2, result: null });
    expect(e.errors[0]).toMatchObject({ code: "usage", message: "unknown flag --ful for plugstack verify; did you mean --full?" });
  });

  test("the accepted spellings: --flag=value, -j4, clustered -vq, --no-packages, values after --", async () => {
    const r = await run(["plan", "--dest=/nonexistent-dest", "-j4", "-vq", "-c", join(work.path, "missing.conf")]);
    expect(r.code).toBe(2); // a config error (no such file), not a usage error
    expect(r.stderr).toContain("missing.conf");
    expect(r.stderr).not.toContain("usage:");
  });
});

function readdirOrEmpty(path: string): string[] {
  try {
    return require("node:fs").readdirSync(path);
  } catch {
    return [];
  }
}

describe("completion scripts, generated from the command table", () => {
  test("bash: completes commands, subcommands, flags and flag values", async () => {
    const r = await run(["completion", "bash"]);
    expect(r.code).toBe(0);
    const script = join(work.path, "plugstack.bash");
    await Bun.write(script, r.stdout);
    const complete = (words: string[]) => {
      const line = `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _plugstack; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const p = Bun.spawnSync(["bash", "-c", line], { cwd: work.path });
      expect(p.exitCode).toBe(0);
      return p.stdout.toString().split("\n").filter(Boolean);
    };
    expect(complete(["plugstack", "sta"])).toEqual(["stack", "status"]);
    expect(complete(["plugstack", "bundle", "cr"])).toEqual(["create"]);
    expect(complete(["plugstack", "stack", "--ord"])).toEqual(["--order"]);
    expect(complete(["plugstack", "stack", "--order", ""])).toEqual(["declared", "requires"]);
    expect(complete(["plugstack", "bundle", "create", "--no-p"])).toEqual(["--no-packages"]);
    expect(complete(["plugstack", "--col"])).toEqual(["--color"]);
    expect(complete(["plugstack", "int"])).toEqual([]); // hidden
  });

  test("zsh and fish scripts name every command and flag; each shell that is installed parses its script", async () => {
    for (const shell of ["zsh", "fish"]) {
      const r = await run(["completion", shell]);
      expect(r.code).toBe(0);
      for (const c of ["stack", "bundle", "create", "completion"]) expect(r.stdout).toContain(c);
      expect(r.stdout).toContain("replace-lock");
      const bin = Bun.which(shell);
      if (!bin) {
        console.log(`skipped: ${shell} is not installed here, so its script is not parsed`);
        continue;
      }
      const p = Bun.spawnSync([bin, "-n", "-c", r.stdout]);
      expect(p.exitCode).toBe(0);
    }
  });
});

describe("README flag tables match --help", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const commonSection = readme.slice(readme.indexOf("## Commands and flags"), readme.indexOf("Command flags:"));
  const commandSection = readme.slice(readme.indexOf("Command flags:"), readme.indexOf("Exit codes:"));
  const commandsIn = (cell: string) => [...cell.matchAll(/`([a-z]+(?: [a-z]+)?)`/g)].map((c) => c[1]!);
  const common = [...commonSection.matchAll(/^\| `([^`]+)` \| ([^|]+) \|/gm)].map((m) => ({
    flags: m[1]!.match(/--[a-z][a-z_-]*/g) ?? [],
    commands: m[2]!.includes("every command") ? [...COMMANDS] : commandsIn(m[2]!),
  }));
  const rows = [...commandSection.matchAll(/^\| ([^|]+) \| `([^`]+)` \|/gm)].map((m) => ({
    commands: commandsIn(m[1]!),
    flags: m[2]!.match(/--[a-z][a-z_-]*/g) ?? [],
  }));

  test("the tables were found", () => {
    expect(common.length).toBeGreaterThan(8);
    expect(rows.length).toBeGreaterThan(8);
  });

  for (const cmd of COMMANDS) {
    test(`${cmd}: the flags the README gives it are exactly the flags of its --help`, async () => {
      const r = await run([...cmd.split(" "), "--help"]);
      expect(r.code).toBe(0);
      const help = helpFlags(r.stdout);
      help.delete("--help");
      const documented = new Set([...common, ...rows].filter((x) => x.commands.includes(cmd)).flatMap((x) => x.flags));
      expect([...help].sort()).toEqual([...documented].sort());
    });
  }
});
