// Tools for plugin authors and users, driven through the compiled binary:
// `new plugin` (the scaffold stacks, unstacks and cleans at once), `check`
// (each lint rule at file:line, --json, exit 1), `search` and `add` (registry
// URLs, plugin_requires first, local.conf kept byte for byte, the lock).
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, makeRepo, tempDir } from "../helpers/git.ts";
import { BIN, plugstack, runBinary } from "./harness.ts";

const tmp = tempDir("plugstack-author-");
afterAll(() => tmp.cleanup());

function dirIn(name: string): string {
  const d = join(tmp.path, name);
  mkdirSync(d, { recursive: true });
  return d;
}

const hasShellcheck = Bun.which("shellcheck") !== null;
if (!hasShellcheck) console.log("shellcheck is not installed: the check test asserts its absence is reported instead of its findings");

describe("new plugin", () => {
  test("the scaffold is DevStack's layout and stacks, unstacks and cleans at once", async () => {
    const work = dirIn("scaffold");
    const made = await plugstack(["new", "plugin", "demo-plugin"], { cwd: work });
    expect(made.code).toBe(0);
    const root = join(work, "demo-plugin");
    const settings = readFileSync(join(root, "devstack/settings"), "utf8");
    expect(settings).toContain("define_plugin demo-plugin\n");
    expect(settings).toContain("enable_service demo-plugin\n");
    expect(settings).toContain("DEMO_PLUGIN_DEBUG=${DEMO_PLUGIN_DEBUG:-True}\n");
    const pluginSh = readFileSync(join(root, "devstack/plugin.sh"), "utf8");
    for (const phase of ["pre-install", "install", "post-config", "extra", "test-config"]) expect(pluginSh).toContain(`"$2" == "${phase}"`);
    for (const mode of ["unstack", "clean"]) expect(pluginSh).toContain(`"$1" == "${mode}"`);
    for (const f of ["devstack/files/debs/demo-plugin", "devstack/files/rpms/demo-plugin", "devstack/files/bindep.txt"])
      expect(existsSync(join(root, f))).toBe(true);
    expect(readFileSync(join(root, "README.rst"), "utf8")).toContain("enable_plugin demo-plugin https://opendev.org/openstack/demo-plugin\n");

    const lint = await plugstack(["check", "demo-plugin"], { cwd: work });
    expect(lint.stdout).toBe("");
    expect(lint.code).toBe(0);

    // publish it as a git repo and stack it from there
    git(root, "init", "-q", "-b", "master");
    git(root, "add", "-A");
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "scaffold");
    const dest = join(work, "dest");
    writeFileSync(join(work, "local.conf"), `[[local|localrc]]\nDEST=${dest}\nenable_plugin demo-plugin file://${root}\n`);
    const stack = await plugstack(["stack"], { cwd: work });
    expect(stack.stderr).toContain("stack done");
    expect(stack.code).toBe(0);
    const conf = join(dest, "data/demo-plugin/etc/demo-plugin.conf");
    expect(readFileSync(conf, "utf8")).toContain("[DEFAULT]\ndebug = True\n");
    const unstack = await plugstack(["unstack"], { cwd: work });
    expect(unstack.code).toBe(0);
    const clean = await plugstack(["clean"], { cwd: work });
    expect(clean.code).toBe(0);
    expect(existsSync(join(dest, "data/demo-plugin"))).toBe(false);
  });

  test("a directory with something in it is refused and left alone", async () => {
    const work = dirIn("occupied");
    mkdirSync(join(work, "p"));
    writeFileSync(join(work, "p", "mine.txt"), "keep me\n");
    const r = await plugstack(["new", "plugin", "p", "p", "--json"], { cwd: work });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("already exists and is not empty; nothing was written");
    expect(readFileSync(join(work, "p", "mine.txt"), "utf8")).toBe("keep me\n");
    expect(existsSync(join(work, "p", "devstack"))).toBe(false);
    const env = JSON.parse(r.stdout);
    expect(env).toMatchObject({ schema: "plugstack/1", command: "new plugin", ok: false, exitCode: 1, result: null });
  });

  test("a name that cannot become bash names is a usage error", async () => {
    const r = await plugstack(["new", "plugin", "9lives"], { cwd: dirIn("badname") });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("must start with a letter");
  });
});

describe("check", () => {
  const work = dirIn("lint");
  const root = join(work, "broken");
  const files: Record<string, string> = {
    "devstack/settings": "define_plugin other\nplugin_requires other needed-one\nenable_service broken\n",
    "devstack/plugin.sh": [
      "function configure_broken {", //               1
      "    instal_package curl", //                   2 typo of install_package
      "    configure_nova", //                        3 DevStack function the library lacks
      "}", //                                         4
      'if [[ "$1" == stack ]]; then', //             5
      "    configure_broken", //                      6
      "    cd $DEST", //                              7 shellcheck SC2164 (its SC2086 is info level, not shown)
      "fi", //                                        8
      "",
    ].join("\n"),
    "devstack/lib/broken": "if true then\n    :\nfi\n",
    "devstack/files/debs/broken": "curl\nlibfoo # dist:ubuntu\nlibbar # dist:jammy not:jammy\nlibok # dist:noble\nlibnp NOPRIME\n",
    "devstack/files/debs/misnamed": "pkg\n",
    "devstack/files/bindep.txt": "good [platform:dpkg]\nbad [platform:dpkg\n",
  };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, ".."), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  writeFileSync(join(work, "local.conf"), "[[local|localrc]]\nenable_plugin broken ./broken\n");

  test("each rule reports file:line, and the exit status is 1", async () => {
    const r = await plugstack(["check", "broken", "-c", "local.conf"], { cwd: work });
    expect(r.code).toBe(1);
    const want = [
      "broken/devstack/files/bindep.txt:2:19: bindep: ",
      "broken/devstack/files/debs/broken:2: package-list: libfoo can never be installed",
      "broken/devstack/files/debs/broken:3: package-list: libbar can never be installed",
      "broken/devstack/files/debs/misnamed:1: package-list: files/debs/misnamed is never read",
      "broken/devstack/plugin.sh:2: typo: instal_package is not defined",
      "broken/devstack/plugin.sh:3: devstack-function: configure_nova is a DevStack function (lib/nova)",
      "broken/devstack/lib/broken:3: bash-syntax: syntax error near unexpected token `fi'",
      "broken/devstack/settings:1: define-plugin: define_plugin other does not match the plugin's name broken",
      "broken/devstack/settings:2: plugin-requires: plugin_requires other needed-one: needed-one is not enabled in the config",
    ];
    for (const w of want) expect(r.stdout).toContain(w);
    expect(r.stdout).toContain("hint: did you mean install_package");
    expect(r.stdout).not.toContain("libok");
    expect(r.stdout).not.toContain("libnp");
    if (hasShellcheck) expect(r.stdout).toContain("broken/devstack/plugin.sh:7:5: shellcheck: SC2164");
    else expect(r.stderr).toContain("shellcheck is not installed");
  });

  test("--json is the envelope, with one error per finding", async () => {
    const r = await plugstack(["check", "broken", "--json"], { cwd: work });
    expect(r.code).toBe(1);
    const env = JSON.parse(r.stdout);
    expect(env).toMatchObject({ schema: "plugstack/1", command: "check", ok: false, exitCode: 1 });
    expect(env.result.name).toBe("broken");
    expect(env.errors.length).toBe(env.result.findings.length);
    expect(env.errors).toContainEqual(expect.objectContaining({ code: "typo", file: join(root, "devstack/plugin.sh"), line: 2 }));
    // without a config, plugin_requires is not checked
    expect(env.errors.map((e: { code: string }) => e.code)).not.toContain("plugin-requires");
  });

  test("a directory without devstack/ is an error that says so", async () => {
    const r = await plugstack(["check", "."], { cwd: dirIn("notaplugin") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("has no devstack/ directory");
  });
});

describe("search", () => {
  test("lists matching registry plugins, exact name first", async () => {
    const r = await plugstack(["search", "heat"], { cwd: tmp.path });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^heat\s+https:\/\/opendev\.org\/openstack\/heat$/);
    expect(r.stdout).toContain("heat-dashboard");
  });

  test("no match: exit 1 with a suggestion, also in --json", async () => {
    const r = await plugstack(["search", "barbicna", "--json"], { cwd: tmp.path });
    expect(r.code).toBe(1);
    const env = JSON.parse(r.stdout);
    expect(env).toMatchObject({ schema: "plugstack/1", command: "search", ok: false, exitCode: 1, result: { matches: [], suggestions: ["barbican"] } });
    expect(env.errors[0]).toMatchObject({ code: "not-found", hint: "did you mean: barbican?" });
  });
});

describe("add", () => {
  // Registry URLs point at opendev.org; git's url.insteadOf (in the test's
  // HOME) sends them to repos made here, and unshare -n guarantees nothing
  // leaves the machine.
  const unshare = Bun.spawnSync(["unshare", "-n", "true"], { stderr: "pipe" });
  const noNet =
    unshare.exitCode === 0
      ? ""
      : `unshare -n is not permitted here (${unshare.stderr.toString().trim()}); add's registry tests need it to keep git off the network`;
  if (noNet) console.log(noNet);
  const work = dirIn("add");
  const srv = join(tmp.path, "srv");
  const heat = makeRepo(join(srv, "openstack/heat"), { files: { "devstack/settings": "define_plugin heat\n" } });
  const barbican = makeRepo(join(srv, "openstack/barbican"), { files: { "devstack/settings": "define_plugin barbican\nplugin_requires barbican heat\n" } });
  const alpha = makeRepo(join(srv, "alpha"), { files: { "devstack/settings": "define_plugin alpha\nplugin_requires alpha barbican\n" } });
  writeFileSync(join(work, ".gitconfig"), `[url "file://${srv}/"]\n\tinsteadOf = https://opendev.org/\n`);
  const original = [
    "# my stack",
    "[[local|localrc]]",
    `DEST=${join(work, "dest")}`,
    "ADMIN_PASSWORD=secret   # keep this comment",
    "",
    "# no plugins yet",
    "",
    "[[post-config|$NOVA_CONF]]",
    "[DEFAULT]",
    "debug = True",
    "",
  ].join("\n");
  const conf = join(work, "local.conf");
  const run = (args: string[]) => runBinary(BIN, args, { cwd: work, wrapper: ["unshare", "-n"] });

  test.skipIf(!!noNet)("--dry-run shows the lines and changes nothing", async () => {
    writeFileSync(conf, original);
    const r = await run(["add", "alpha", alpha.url, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("local.conf:7: enable_plugin heat https://opendev.org/openstack/heat  (required by barbican)");
    expect(readFileSync(conf, "utf8")).toBe(original);
    expect(existsSync(`${conf}.lock`)).toBe(false);
  });

  test.skipIf(!!noNet)("adds the required plugins first, from the registry, keeps the rest and writes the lock", async () => {
    writeFileSync(conf, original);
    const r = await run(["add", "alpha", alpha.url]);
    expect(r.stderr).toContain("added heat, barbican, alpha");
    expect(r.code).toBe(0);
    const lines = original.split("\n");
    lines.splice(
      6,
      0,
      "enable_plugin heat https://opendev.org/openstack/heat",
      "enable_plugin barbican https://opendev.org/openstack/barbican",
      `enable_plugin alpha ${alpha.url}`,
    );
    expect(readFileSync(conf, "utf8")).toBe(lines.join("\n"));
    const lock = readFileSync(`${conf}.lock`, "utf8");
    for (const [name, repo] of [
      ["alpha", alpha],
      ["barbican", barbican],
      ["heat", heat],
    ] as const) {
      expect(lock).toContain(`name = "${name}"`);
      expect(lock).toContain(`commit = "${repo.commits[0]}"`);
    }
  });

  test.skipIf(!!noNet)("a plugin already enabled is left as it is", async () => {
    const before = readFileSync(conf, "utf8");
    const r = await run(["add", "heat", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: "plugstack/1", command: "add", ok: true, result: { added: [], alreadyEnabled: { line: 7 } } });
    expect(readFileSync(conf, "utf8")).toBe(before);
  });

  test.skipIf(!!noNet)("an unknown name without a URL is a usage error with a suggestion", async () => {
    const before = readFileSync(conf, "utf8");
    const r = await run(["add", "barbicna"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("barbicna is not in DevStack's plugin registry");
    expect(r.stderr).toContain("did you mean barbican?");
    expect(readFileSync(conf, "utf8")).toBe(before);
  });

  test("without a local.conf, one is made with a [[local|localrc]] block; a missing directory is refused", async () => {
    const fresh = dirIn("add-fresh");
    const solo = makeRepo(join(srv, "fresh-one"));
    const r = await plugstack(["add", "fresh-one", solo.url], { cwd: fresh });
    expect(r.code).toBe(0);
    expect(readFileSync(join(fresh, "local.conf"), "utf8")).toBe(`[[local|localrc]]\nenable_plugin fresh-one ${solo.url}\n`);
    expect(readFileSync(join(fresh, "local.conf.lock"), "utf8")).toContain(`commit = "${solo.commits[0]}"`);
    const missing = await plugstack(["add", "fresh-one", solo.url, "-c", "nope/local.conf"], { cwd: fresh });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope does not exist");
  });

  test.skipIf(!!noNet)("a failure after local.conf was written puts it back byte for byte", async () => {
    const broken = `${readFileSync(conf, "utf8")}`.replace("[[local|localrc]]\n", "[[local|localrc]]\nenable_plugin gone ./not-there\n");
    writeFileSync(conf, broken);
    const lockBefore = readFileSync(`${conf}.lock`, "utf8");
    const r = await run(["add", "solo", makeRepo(join(srv, "solo")).url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("was put back as it was");
    expect(readFileSync(conf, "utf8")).toBe(broken);
    expect(readFileSync(`${conf}.lock`, "utf8")).toBe(lockBefore);
  });
});
