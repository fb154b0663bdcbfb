import { describe, expect, test } from "bun:test";
import { planHookCalls, planSteps, stepLabel } from "../../src/stack/plan.ts";

describe("planSteps", () => {
  test("stack follows stack.sh", () => {
    expect(planSteps("stack").map(stepLabel)).toEqual([
      "sudo",
      "override_defaults",
      "source",
      "packages",
      "stack pre-install",
      "tls-proxy",
      "stack install",
      "clouds.yaml",
      "stack post-config",
      "merge post-config",
      "merge extra",
      "stack extra",
      "merge post-extra",
      "stack test-config",
      "merge test-config",
      "local.sh",
    ]);
  });
  test("unstack", () => {
    expect(planSteps("unstack").map(stepLabel)).toEqual(["override_defaults", "source", "unstack"]);
  });
  test("clean (after its own unstack shell)", () => {
    expect(planSteps("clean").map(stepLabel)).toEqual(["override_defaults", "source", "clean"]);
  });
});

describe("planHookCalls", () => {
  test("only existing hooks, plugins in run order at every point", () => {
    const calls = planHookCalls(planSteps("unstack"), [
      { name: "a", overrideDefaults: true, settings: true, pluginSh: false },
      { name: "b", overrideDefaults: false, settings: true, pluginSh: true },
    ]);
    expect(calls.map((c) => `${c.step}:${c.plugin}`)).toEqual(["override_defaults:a", "source:a", "source:b", "unstack:b"]);
  });
});
