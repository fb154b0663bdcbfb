// Renders the run script of one stack shell: quoted assignments of what
// plugstack resolved, then one call per step of the phase plan. Pure.
import { renderArray, renderAssign, renderAssoc, renderCommand, shellQuote } from "../util/quote.ts";
import { DEFAULT_DEST } from "./dest.ts";
import { type Step, stepLabel } from "./plan.ts";

export interface MergeEntry {
  section: string;
  key: string;
  values: string[];
}

export interface MergeBlock {
  group: string;
  /** the FILE of [[GROUP|FILE]] as written; expanded by the stack shell */
  fileExpr: string;
  /** file:line of the block header, for warnings */
  where: string;
  entries: MergeEntry[];
}

export interface RunScriptInput {
  /** command that runs plugstack itself (callbacks) */
  self: string[];
  topDir: string;
  /** plugin names in run order */
  order: string[];
  /** plugin name -> checkout dir */
  dirs: Record<string, string>;
  /** --dest: wins over localrc */
  destOverride?: string;
  /** log file for xtrace and output */
  logFile: string;
  steps: Step[];
  merges: MergeBlock[];
  /** PLUGSTACK_* variables exported to everything the shell runs */
  exports: Record<string, string>;
  /** errexit, as stack.sh (true); unstack.sh and clean.sh run without it */
  errexit?: boolean;
  /** the host probe's answers (bash assignments, see host-probe.ts), or "" */
  hostProbe?: string;
}

/**
 * The part of stackrc that comes before localrc in DevStack: what a localrc
 * may refer to. Everything else is a `${VAR:-default}` in the library's
 * stackrc, sourced after localrc so derived paths follow the user's DEST.
 * The service libraries' defaults groups wait for stackrc too
 * (`_PS_DEFER_DEFAULTS`): they run once, after localrc, where DevStack
 * sources its lib/* files, not also while the library loads.
 */
export function renderEarlyDefaults(topDir: string): string {
  return [
    renderAssign("TOP_DIR", topDir),
    "RC_DIR=$TOP_DIR",
    "FILES=$TOP_DIR/files",
    "TARGET_BRANCH=master",
    `DEST=${DEFAULT_DEST}`,
    "_PS_DEFER_DEFAULTS=1",
  ].join("\n");
}

/**
 * What DevStack's stackrc sets before it sources localrc and that needs the
 * library (the default ENABLED_SERVICES, which localrc's enable_service and
 * disable_service edit).
 */
export function renderBeforeLocalrc(): string {
  return "if declare -F _ps_stackrc_early >/dev/null; then _ps_stackrc_early; fi";
}

/** Loads localrc at top level (not in a function), as stackrc does. */
function renderLocalrcSource(): string {
  return [
    "if [[ -f $RC_DIR/localrc ]]; then",
    "    source $RC_DIR/localrc",
    // a localrc with URL credentials: the real text is in a private temp
    // file for this run; $RC_DIR/.localrc.auto shows them as ***
    "elif [[ -n ${PLUGSTACK_LOCALRC_FILE:-} && -f $PLUGSTACK_LOCALRC_FILE ]]; then",
    '    source "$PLUGSTACK_LOCALRC_FILE"',
    "elif [[ -f $RC_DIR/.localrc.auto ]]; then",
    "    source $RC_DIR/.localrc.auto",
    "fi",
  ].join("\n");
}

function renderStep(step: Step, merges: MergeBlock[]): string[] {
  switch (step.kind) {
    case "phase":
      return [renderCommand(["_ps_run_phase", step.mode, ...("phase" in step && step.phase ? [step.phase] : [])])];
    case "packages":
      return ["_ps_install_packages"];
    case "local-sh":
      return ["_ps_local_sh"];
    case "around":
      return [renderCommand(["_ps_around", step.name])];
    case "merge": {
      const out = [renderCommand(["_ps_step_begin", stepLabel(step)])];
      for (const block of merges.filter((b) => b.group === step.group)) {
        out.push(`if ${renderCommand(["_ps_merge_target", block.group, block.fileExpr, block.where])}; then`);
        for (const e of block.entries) out.push(`    ${renderCommand(["_ps_merge_set", e.section, e.key, ...e.values])}`);
        out.push("fi");
      }
      out.push("_ps_step_end");
      return out;
    }
  }
}

/**
 * The shell dies with plugstack: a watcher in the shell's process group
 * stops the whole group when plugstack is gone (even after SIGKILL), and
 * ends quietly when the shell ends first.
 */
function renderParentWatch(): string {
  return [
    "if [[ -n ${PLUGSTACK_PARENT_PID:-} ]]; then",
    '    ( while kill -0 "$PLUGSTACK_PARENT_PID" 2>/dev/null && kill -0 "$$" 2>/dev/null; do sleep 1; done',
    '      kill -0 "$$" 2>/dev/null && kill -KILL -- "-$$" ) </dev/null >/dev/null 2>&1 3>&- 4>&- &',
    "    disown $! # a hook's bare `wait` must not wait for it",
    "fi",
  ].join("\n");
}

/**
 * stackrc's `python3 -c` version call (DevStack's _DEFAULT_PYTHON3_VERSION),
 * started in the background as soon as the shell is in $TOP_DIR, so it runs
 * while the library loads and localrc is sourced. stackrc takes its answer
 * only when PWD, PATH and PYENV_VERSION are what they were here (localrc left
 * them alone); else it asks python3 again, as before.
 */
export function renderPython3Start(): string {
  return [
    '_PS_PYTHON3_AT="$PWD:$PATH:${PYENV_VERSION-}"',
    `exec {_PS_PYTHON3_FD}< <(exec python3 -c 'import sys; print("%s.%s" % sys.version_info[0:2])' 2>/dev/null 3>&- 4>&-)`,
  ].join("\n");
}

/**
 * plugstack's pipes move off the low descriptors the shell got them on
 * (events on 3, the trace on 4) to ones bash picks above 9, and fd 3
 * becomes a copy of stdout, as DevStack's stack.sh makes it (`exec 3>&1`):
 * a hook that writes to fd 3 or reuses it (`exec 3<>/dev/tcp/...`) then
 * leaves plugstack's report alone. After the python3 call and the watcher
 * start, which close 3 and 4 for themselves.
 */
function renderMoveFds(): string {
  return [
    ...["PLUGSTACK_EVENT_FD", "PLUGSTACK_TRACE_FD"].map((v) => `if [[ -n \${${v}:-} ]]; then _ps_fd=$${v}; exec {${v}}>&"$_ps_fd" {_ps_fd}>&-; fi`),
    "unset _ps_fd",
    "exec 3>&1",
  ].join("\n");
}

export function renderRunScript(input: RunScriptInput): string {
  const lines: string[] = [
    "# Generated by plugstack for one run. Values are quoted literals.",
    renderEarlyDefaults(input.topDir),
    // the host probe's answers, or none (whatever the environment holds)
    input.hostProbe ? input.hostProbe.trimEnd() : "unset _PS_PROBED _PS_PROBE_TAKEN",
    'cd "$TOP_DIR"',
    // the python3 call first: it is the slowest thing before the first hook
    renderPython3Start(),
    renderParentWatch(),
    renderMoveFds(),
    renderArray("PLUGSTACK_SELF", input.self),
    renderArray("PLUGSTACK_RUN_ORDER", input.order),
    renderAssoc("PLUGSTACK_PLUGIN_DIRS", input.dirs),
    ...Object.entries(input.exports).map(([k, v]) => `export ${renderAssign(k, v)}`),
    'source "$TOP_DIR/functions"',
    'source "$TOP_DIR/.plugstack/driver.sh"',
    renderBeforeLocalrc(),
    renderLocalrcSource(),
    ...(input.destOverride ? [renderAssign("DEST", input.destOverride)] : []),
    'source "$TOP_DIR/stackrc"',
    // the passwords stack.sh settles before any plugin runs (kept in
    // $TOP_DIR/.localrc.password across runs)
    "if declare -F _ps_stack_passwords >/dev/null; then _ps_stack_passwords; fi",
    `DEVSTACK_PLUGINS=${shellQuote(input.order.join(","))}`,
    "umask 022",
    `_ps_start_tracing ${shellQuote(input.logFile)}${input.errexit === false ? " noerrexit" : ""}`,
    ...input.steps.flatMap((s) => renderStep(s, input.merges)),
    "",
  ];
  return lines.join("\n");
}
