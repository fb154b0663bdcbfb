// $TOP_DIR is laid out fresh for every run, as stack.sh regenerates its
// .localrc.auto; a tree exactly as the last layout left it is kept rather
// than rewritten. Whatever a run (or the user) changed in it, or beside
// local.conf, gives a fresh tree again: the result is the same either way.
import { afterAll, describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { layoutTopDir } from "../../src/stack/top-dir.ts";
import { tempDir } from "../helpers/git.ts";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

let n = 0;
function setup() {
  const root = join(tmp.path, `case-${++n}`);
  const configDir = join(root, "conf");
  mkdirSync(join(configDir, "lib"), { recursive: true });
  writeFileSync(join(configDir, "lib", "mine"), "MINE=1\n");
  const topDir = join(root, "dest", ".plugstack", "top");
  const layout = (localrc = "A=1\n") => layoutTopDir({ topDir, configDir, localrc });
  return { configDir, topDir, layout };
}

/** A file's identity: the same inode and change time, or it was written again */
const ino = (path: string) => {
  const st = statSync(path, { bigint: true });
  return `${st.ino} ${st.ctimeNs}`;
};

describe("layoutTopDir", () => {
  test("an unchanged tree is kept: the same files, .localrc.auto written again, passwords kept", () => {
    const { topDir, layout } = setup();
    layout("A=1\n");
    writeFileSync(join(topDir, ".localrc.password"), "ADMIN_PASSWORD=x\n", { mode: 0o600 });
    const functions = join(topDir, "functions");
    const before = ino(functions);
    layout("A=2\n");
    expect(ino(functions)).toBe(before);
    expect(readFileSync(join(topDir, ".localrc.auto"), "utf8")).toBe("A=2\n");
    expect(readFileSync(join(topDir, ".localrc.password"), "utf8")).toBe("ADMIN_PASSWORD=x\n");
    expect(readFileSync(join(topDir, "lib", "mine"), "utf8")).toBe("MINE=1\n");
  });

  test("a file a run changed, one it added and one it removed: a fresh tree, passwords kept", () => {
    const { topDir, layout } = setup();
    layout();
    writeFileSync(join(topDir, ".localrc.password"), "ADMIN_PASSWORD=x\n", { mode: 0o600 });
    const functions = join(topDir, "functions");
    const text = readFileSync(functions, "utf8");
    appendFileSync(functions, "echo changed by a hook\n");
    writeFileSync(join(topDir, "lib", "added-by-a-hook"), "x\n");
    rmSync(join(topDir, "stackrc"));
    layout();
    expect(readFileSync(functions, "utf8")).toBe(text);
    expect(existsSync(join(topDir, "lib", "added-by-a-hook"))).toBe(false);
    expect(existsSync(join(topDir, "stackrc"))).toBe(true);
    expect(readFileSync(join(topDir, ".localrc.password"), "utf8")).toBe("ADMIN_PASSWORD=x\n");
    // and that fresh tree is kept by the next layout
    const now = ino(functions);
    layout();
    expect(ino(functions)).toBe(now);
  });

  test("a change beside local.conf: a file added to lib/ and then removed shows in the tree", () => {
    const { configDir, topDir, layout } = setup();
    layout();
    writeFileSync(join(configDir, "lib", "more"), "MORE=1\n");
    layout();
    expect(readFileSync(join(topDir, "lib", "more"), "utf8")).toBe("MORE=1\n");
    rmSync(join(configDir, "lib", "more"));
    writeFileSync(join(configDir, "local.sh"), "echo local\n");
    layout();
    expect(existsSync(join(topDir, "lib", "more"))).toBe(false);
    expect(readFileSync(join(topDir, "local.sh"), "utf8")).toBe("echo local\n");
  });

  test("a tree laid out by another library (another key) is laid out again", () => {
    const { topDir, layout } = setup();
    layout();
    const record = join(topDir, ".plugstack", "tree.json");
    const r = JSON.parse(readFileSync(record, "utf8"));
    writeFileSync(record, JSON.stringify({ ...r, key: "another build" }));
    const before = ino(join(topDir, "functions"));
    layout();
    expect(ino(join(topDir, "functions"))).not.toBe(before);
  });
});
