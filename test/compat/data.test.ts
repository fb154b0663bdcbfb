// test/compat/data holds the compatibility survey of real DevStack plugins
// (functions.md, variables.md, patterns.md), vendored from the project's
// shared specs so the tests that read it run from a clone of this repo
// alone. Where the shared specs sit beside the repo (in development), the
// copies must match them.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { COMPAT_DATA, loadCompatFunctions, loadCompatVariables } from "./harness.ts";

const SHARED = resolve(import.meta.dir, "../../../shared/compat");
const FILES = ["functions.md", "variables.md", "patterns.md"];
const shared = existsSync(SHARED) ? "" : `the shared specs are not beside the repo (${SHARED}); the vendored copies in test/compat/data are used as they are`;
if (shared) console.log(`[skip] vendored compat data against the shared specs: ${shared}`);

describe("vendored compat data", () => {
  for (const file of FILES) {
    test.skipIf(!!shared)(`${file} matches the shared spec (copy it into test/compat/data after it changes)`, () => {
      expect(readFileSync(join(COMPAT_DATA, file), "utf8")).toBe(readFileSync(join(SHARED, file), "utf8"));
    });
  }

  test("the tables parse: functions and variables the tests check", () => {
    const functions = loadCompatFunctions();
    expect(functions.length).toBeGreaterThan(100);
    expect(functions).toContain("echo_summary");
    expect(functions).toContain("is_suse");
    const variables = loadCompatVariables();
    expect(variables).toContain("DEST");
    expect(variables).toContain("os_CODENAME");
    // rows set by DevStack's service libraries are conventions between plugins, not defaults
    expect(variables).not.toContain("TEMPEST_CONFIG");
  });
});
