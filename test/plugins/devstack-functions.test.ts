// The list of DevStack's functions `plugstack check` uses is what the
// regeneration script reads from DevStack's tree (the fixture bundle).
import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FUNCTIONS_MODULE, renderFunctionsModule } from "../../scripts/gen-devstack-functions.ts";
import { DEVSTACK_FUNCTIONS } from "../../src/plugins/devstack-functions.generated.ts";
import { git, tempDir } from "../helpers/git.ts";

const BUNDLE = join(import.meta.dir, "..", "..", "..", "shared", "fixtures", "devstack.bundle");
const tmp = tempDir("plugstack-dsfn-");
afterAll(() => tmp.cleanup());

const present = existsSync(BUNDLE);
if (!present)
  console.log(`DevStack fixture bundle ${BUNDLE} is not here (it lives beside the repository in development); the regeneration comparison is skipped`);

test.skipIf(!present)("the committed list matches DevStack's tree at the commit it names", () => {
  const committed = readFileSync(FUNCTIONS_MODULE, "utf8");
  const commit = /openstack\/devstack at\n\/\/ ([0-9a-f]{40})/.exec(committed)?.[1];
  expect(commit).toBeDefined();
  const dir = join(tmp.path, "devstack");
  git(tmp.path, "clone", "-q", BUNDLE, dir);
  git(dir, "checkout", "-q", "--detach", commit!);
  expect(committed).toBe(renderFunctionsModule(dir, commit!));
});

test("names DevStack's service functions with their file", () => {
  const map = new Map(DEVSTACK_FUNCTIONS.map(([n, f]) => [n, f]));
  expect(map.get("configure_nova")).toBe("lib/nova");
  expect(map.get("iniset")).toBe("inc/ini-config");
});
