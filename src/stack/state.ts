// $DEST/.plugstack/state.json: what the last runs did (CONTRACT 4 step 8).
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { HookError } from "../errors.ts";
import type { CleanStamp } from "../plugins/clean-check.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import type { RunTimings } from "./report.ts";

export interface StatePlugin {
  name: string;
  url: string;
  ref: string;
  commit: string | null;
  dir: string;
  source: "git" | "directory";
  /** the DevStack base layer ($DEST/devstack), not a plugin */
  base?: boolean;
}

export interface RunRecord {
  mode: "stack" | "unstack" | "clean";
  config: string;
  startedAt: string;
  finishedAt: string;
  status: "ok" | "failed";
  exitStatus: number;
  /** steps that finished, in order */
  stepsDone: string[];
  timings: RunTimings;
  log: string;
  /** sha256 of the config the run read (local.conf and the localrc text); tells a repeat run from a changed one */
  configSha256?: string;
  failure?: { plugin?: string; step?: string; file?: string; line?: number; status: number };
}

export interface StackState {
  version: 1;
  dest: string;
  plugins: StatePlugin[];
  /** the last run of each mode */
  runs: Partial<Record<RunRecord["mode"], RunRecord>>;
  /** the mode of the most recent run */
  last?: RunRecord["mode"];
  /** top-level directories of DEST that plugstack's runs made (clean removes them when empty) */
  created?: string[];
  /**
   * checkouts the last stack found clean, by directory: the stamp that lets
   * the next one tell they still are without a git process (plugins/clean-check.ts)
   */
  checkouts?: Record<string, CleanStamp>;
}

export function statePath(dest: string): string {
  return join(dest, ".plugstack", "state.json");
}

export function loadState(dest: string): StackState | null {
  let text: string;
  try {
    text = readFileSync(statePath(dest), "utf8");
  } catch {
    return null;
  }
  const parsed = JSON.parse(text) as StackState;
  return parsed.version === 1 ? parsed : null;
}

function saveState(dest: string, state: StackState): void {
  const path = statePath(dest);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
}

/** Where a failed run stopped, as a HookError's detail says it. */
export type StopPlace = Pick<HookError["detail"], "plugin" | "mode" | "phase" | "file" | "line" | "status">;

/** The record of a run that just ended: now as its end, ok or failed, and where it stopped. */
export function finishedRun(run: Omit<RunRecord, "finishedAt" | "status" | "failure">, stop?: StopPlace): RunRecord {
  return {
    ...run,
    finishedAt: new Date().toISOString(),
    status: stop ? "failed" : "ok",
    ...(stop
      ? { failure: { plugin: stop.plugin, step: [stop.mode, stop.phase].filter(Boolean).join(" "), file: stop.file, line: stop.line, status: stop.status } }
      : {}),
  };
}

/**
 * Records one run into the state, keeping the others (and the clean
 * checkouts' stamps, unless `checkouts` replaces them). `prev`: the state as
 * this run (holding DEST) already read it, else it is read here.
 */
export function recordRun(
  dest: string,
  plugins: StatePlugin[] | null,
  run: RunRecord,
  checkouts?: Record<string, CleanStamp>,
  prev: StackState | null = loadState(dest),
): StackState {
  const state: StackState = {
    ...prev,
    version: 1,
    dest,
    plugins: plugins ?? prev?.plugins ?? [],
    runs: { ...(prev?.runs ?? {}), [run.mode]: run },
    last: run.mode,
    ...(checkouts ? { checkouts } : {}),
  };
  saveState(dest, state);
  return state;
}

/** Adds directories a run made under DEST to the state (those that existed before any run are never added). */
export function recordCreated(dest: string, dirs: readonly string[]): void {
  if (!dirs.length) return;
  const prev = loadState(dest);
  const created = [...new Set([...(prev?.created ?? []), ...dirs])].sort();
  saveState(dest, { version: 1, dest, plugins: [], runs: {}, ...prev, created });
}
