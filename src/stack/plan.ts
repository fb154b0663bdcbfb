// The phase plan: which steps a stack, unstack or clean shell runs, in
// DevStack's order (CONTRACT 4 step 5-7). Pure data, no I/O.

export type Mode = "stack" | "unstack" | "clean";

export type Step =
  | { kind: "phase"; mode: "override_defaults" | "source" }
  | { kind: "phase"; mode: Mode; phase?: StackPhase }
  | { kind: "packages" }
  | { kind: "merge"; group: MergeGroup }
  | { kind: "around"; name: AroundStep }
  | { kind: "local-sh" };

/** What stack.sh does around the hooks (each runs only under DevStack's condition). */
export type AroundStep = "sudo" | "tls-proxy" | "clouds.yaml";

export type StackPhase = "pre-install" | "install" | "post-config" | "extra" | "test-config";
export type MergeGroup = "post-config" | "extra" | "post-extra" | "test-config";

const PRELUDE: Step[] = [
  { kind: "phase", mode: "override_defaults" },
  { kind: "phase", mode: "source" },
];

/**
 * Steps of one shell. `clean` is two shells, as in DevStack (clean.sh runs
 * unstack.sh first): callers run planSteps("unstack") and then
 * planSteps("clean").
 */
export function planSteps(mode: Mode): Step[] {
  switch (mode) {
    case "stack":
      return [
        { kind: "around", name: "sudo" },
        ...PRELUDE,
        { kind: "packages" },
        { kind: "phase", mode: "stack", phase: "pre-install" },
        { kind: "around", name: "tls-proxy" },
        { kind: "phase", mode: "stack", phase: "install" },
        { kind: "around", name: "clouds.yaml" },
        { kind: "phase", mode: "stack", phase: "post-config" },
        { kind: "merge", group: "post-config" },
        { kind: "merge", group: "extra" },
        { kind: "phase", mode: "stack", phase: "extra" },
        { kind: "merge", group: "post-extra" },
        { kind: "phase", mode: "stack", phase: "test-config" },
        { kind: "merge", group: "test-config" },
        { kind: "local-sh" },
      ];
    case "unstack":
      return [...PRELUDE, { kind: "phase", mode: "unstack" }];
    case "clean":
      return [...PRELUDE, { kind: "phase", mode: "clean" }];
  }
}

/**
 * The phases DevStack's own scripts run plugins at, with a base layer
 * (in-tree work runs between them; DevStack merges local.conf itself).
 * unstack.sh loads the settings without a `source` phase; clean.sh runs
 * unstack.sh first, then loads the settings and runs the clean phase.
 */
export function planBaseSteps(mode: Mode): Step[] {
  const stack = (phase: StackPhase): Step => ({ kind: "phase", mode: "stack", phase });
  switch (mode) {
    case "stack":
      return [...PRELUDE, stack("pre-install"), stack("install"), stack("post-config"), stack("extra"), stack("test-config")];
    case "unstack":
      return [...PRELUDE, { kind: "phase", mode: "unstack" }];
    case "clean":
      return [...PRELUDE, { kind: "phase", mode: "unstack" }, { kind: "phase", mode: "source" }, { kind: "phase", mode: "clean" }];
  }
}

/** "stack post-config", "override_defaults", "unstack" ... */
export function stepLabel(step: Step): string {
  switch (step.kind) {
    case "phase":
      return "phase" in step && step.phase ? `${step.mode} ${step.phase}` : step.mode;
    case "packages":
      return "packages";
    case "merge":
      return `merge ${step.group}`;
    case "local-sh":
      return "local.sh";
    case "around":
      return step.name;
  }
}

export interface PluginHooks {
  name: string;
  overrideDefaults: boolean;
  settings: boolean;
  pluginSh: boolean;
}

/**
 * The (plugin, mode, phase) calls a run makes, in order: what `plan` shows.
 * Only hooks whose files exist are listed.
 */
export function planHookCalls(steps: Step[], plugins: PluginHooks[]): { step: string; plugin: string; file: string }[] {
  const calls: { step: string; plugin: string; file: string }[] = [];
  for (const step of steps) {
    if (step.kind !== "phase") continue;
    const label = stepLabel(step);
    for (const p of plugins) {
      if (step.mode === "override_defaults" && p.overrideDefaults) calls.push({ step: label, plugin: p.name, file: "devstack/override-defaults" });
      else if (step.mode === "source" && p.settings) calls.push({ step: label, plugin: p.name, file: "devstack/settings" });
      else if (step.mode !== "override_defaults" && step.mode !== "source" && p.pluginSh)
        calls.push({ step: label, plugin: p.name, file: "devstack/plugin.sh" });
    }
  }
  return calls;
}
