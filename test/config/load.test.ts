import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors.ts";
import { type TempDir, tempDir } from "../helpers/git.ts";

let tmp: TempDir;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

function write(name: string, text: string): string {
  const path = join(tmp.path, name);
  writeFileSync(path, text);
  return path;
}

const LOCAL_CONF = `# my stack
[[local|localrc]]
DEST=/opt/stack
enable_plugin heat https://opendev.org/openstack/heat

[[post-config|$NOVA_CONF]]
[DEFAULT]
debug = True
[pci]
alias = a
alias = b

[[test-config|$TEMPEST_CONFIG]]
[compute]
x = 1
`;

describe("loadConfig", () => {
  test("local.conf with a localrc block and merges", async () => {
    const path = write("local.conf", LOCAL_CONF);
    const c = await loadConfig({ configPath: "local.conf", cwd: tmp.path, env: {} });
    expect(c.path).toBe(path);
    expect(c.dir).toBe(tmp.path);
    expect(c.blocks.map((b) => `${b.group}|${b.file}@${b.line}`)).toEqual(["local|localrc@2", "post-config|$NOVA_CONF@6", "test-config|$TEMPEST_CONFIG@13"]);
    expect(c.localrc.source).toBe("local.conf");
    expect(c.localrc.text).toBe("DEST=/opt/stack\nenable_plugin heat https://opendev.org/openstack/heat\n\n");
    expect(c.localrc.lines).toEqual([
      { file: path, line: 3 },
      { file: path, line: 4 },
      { file: path, line: 5 },
    ]);
    expect(c.merges).toEqual([
      {
        group: "post-config",
        file: "$NOVA_CONF",
        source: path,
        line: 6,
        header: "[[post-config|$NOVA_CONF]]",
        entries: [
          { section: "DEFAULT", key: "debug", values: ["True"], lines: [8] },
          { section: "pci", key: "alias", values: ["a", "b"], lines: [10, 11] },
        ],
      },
      {
        group: "test-config",
        file: "$TEMPEST_CONFIG",
        source: path,
        line: 13,
        header: "[[test-config|$TEMPEST_CONFIG]]",
        entries: [{ section: "compute", key: "x", values: ["1"], lines: [15] }],
      },
    ]);
    expect(c.notices).toEqual([]);
  });

  test("a plain localrc beside local.conf wins, with a notice", async () => {
    write("local.conf", LOCAL_CONF);
    const rc = write("localrc", "FROM_FILE=1\nenable_plugin x /src/x\n");
    const c = await loadConfig({ configPath: join(tmp.path, "local.conf"), env: {} });
    expect(c.localrc.source).toBe("localrc");
    expect(c.localrc.text).toBe("FROM_FILE=1\nenable_plugin x /src/x\n");
    expect(c.localrc.lines).toEqual([
      { file: rc, line: 1 },
      { file: rc, line: 2 },
    ]);
    expect(c.notices).toHaveLength(1);
    expect(c.notices[0]).toContain(rc);
    expect(c.notices[0]).toContain("local.conf:2");
  });

  test("a localrc directory is not a localrc file", async () => {
    write("local.conf", LOCAL_CONF);
    mkdirSync(join(tmp.path, "localrc"));
    const c = await loadConfig({ configPath: join(tmp.path, "local.conf"), env: {} });
    expect(c.localrc.source).toBe("local.conf");
  });

  test("DEVSTACK_LOCAL_CONFIG is appended with its own origins", async () => {
    const path = write("local.conf", "[[local|localrc]]\nA=1\n");
    const c = await loadConfig({ configPath: path, env: { DEVSTACK_LOCAL_CONFIG: "B=2\nenable_plugin y /y" } });
    expect(c.localrc.text).toBe("A=1\nB=2\nenable_plugin y /y\n");
    expect(c.localrc.lines).toEqual([
      { file: path, line: 2 },
      { file: "DEVSTACK_LOCAL_CONFIG", line: 1 },
      { file: "DEVSTACK_LOCAL_CONFIG", line: 2 },
    ]);
  });

  test("several [[local|localrc]] blocks are read in order", async () => {
    const path = write("local.conf", "[[local|localrc]]\nA=1\n[[post-config|/x]]\n[s]\nk=v\n[[local|localrc]]\nB=2\n");
    const c = await loadConfig({ configPath: path, env: {} });
    expect(c.localrc.text).toBe("A=1\nB=2\n");
    expect(c.localrc.lines.map((l) => l.line)).toEqual([2, 7]);
  });

  test("blocks for the same group and file merge as one stream", async () => {
    const path = write("local.conf", "[[post-config|$X]]\n[s]\nk = 1\n[[extra|$X]]\n[s]\nk = 9\n[[post-config|$X]]\nk = 2\n");
    const c = await loadConfig({ configPath: path, env: {} });
    expect(c.merges.map((m) => [m.group, m.line, m.entries.map((e) => e.values)])).toEqual([
      ["post-config", 1, [["1", "2"]]],
      ["extra", 4, [["9"]]],
    ]);
  });

  test("no localrc anywhere", async () => {
    const path = write("local.conf", "[[post-config|/etc/x.conf]]\n[s]\nk=v\n");
    const c = await loadConfig({ configPath: path, env: {} });
    expect(c.localrc).toEqual({ text: "", lines: [], source: "none" });
  });

  test("notices: stray preamble, unknown group, other local file", async () => {
    const path = write("local.conf", "FOO=1\n[[local|localrc]]\n[[local|other]]\n[[post_config|$X]]\n");
    const c = await loadConfig({ configPath: path, env: {} });
    expect(c.notices).toHaveLength(3);
    expect(c.notices[0]).toContain(`${path}:1:`);
    expect(c.notices[1]).toContain(`${path}:3:`);
    expect(c.notices[2]).toContain(`${path}:4:`);
    expect(c.notices[2]).toContain("post_config");
  });

  test("a local.conf without any block says nothing in it is used", async () => {
    const path = write("local.conf", "enable_plugin heat https://opendev.org/openstack/heat\n");
    const c = await loadConfig({ configPath: path, env: {} });
    expect(c.notices).toHaveLength(1);
    expect(c.notices[0]).toContain("[[local|localrc]]");
  });
});

describe("loadConfig errors", () => {
  test("missing local.conf names the path", async () => {
    const path = join(tmp.path, "nope", "local.conf");
    const err = await loadConfig({ configPath: path, env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.file).toBe(path);
    expect(err.message).toContain(path);
    expect(err.hint).toContain("[[local|localrc]]");
    expect(err.exitCode).toBe(2);
  });

  test("local.conf that is a directory", async () => {
    mkdirSync(join(tmp.path, "local.conf"));
    const err = await loadConfig({ configPath: join(tmp.path, "local.conf"), env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain("directory");
  });

  test("unterminated header", async () => {
    const path = write("local.conf", "[[local|localrc]]\nA=1\n[[post-config|$X]\n");
    const err = await loadConfig({ configPath: path, env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toStartWith(`${path}:3: `);
  });

  test("bad INI line in a merge block", async () => {
    const path = write("local.conf", "[[post-config|$X]]\nkey = before-section\n");
    const err = await loadConfig({ configPath: path, env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toStartWith(`${path}:2: `);
  });
});
