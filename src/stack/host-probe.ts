// stackrc's questions to the host that each take a process (uname -m,
// nproc, hostname -s, id -gn, and ip for HOST_IP and HOST_IPV6), asked by
// one bash running the library's own probe (`_ps_host_probe` in stackrc.sh)
// as soon as plugstack starts a stack, unstack or clean, so that they are
// answered while the CLI loads and the run is prepared. The answers go into
// the run script as bash assignments, and stackrc takes them only while
// what they depend on is as it was for the probe (`_ps_take_host_probe`);
// else it asks the host itself, as without them. entry.ts loads this module
// before the CLI.
import stackrc from "../shell/stackrc.sh" with { type: "text" };
import { runCaptured } from "../util/group-child.ts";

/**
 * Answers older than this are not used: the probe asks a little before
 * stackrc would, never across a wait for another run's DEST lock or a long
 * fetch, in which the host may change (an unstack moving addresses). A probe
 * still running by then is stopped.
 */
const MAX_AGE_MS = 5000;

export interface HostProbe {
  /** the probe's output, assignments for the run script; "" when there is none to use (then stackrc asks the host) */
  answers(): Promise<string>;
}

/** A probe with no answers: stackrc asks the host, as without one. */
const NO_HOST_PROBE: HostProbe = { answers: async () => "" };

/** The probe's output is whole: its key first, its end mark last. */
function whole(text: string): boolean {
  return text.startsWith("_PS_PROBE_AT=") && text.endsWith("\n_PS_PROBED=1\n");
}

function startHostProbe(env: Record<string, string | undefined>, cwd: string): HostProbe {
  const started = performance.now();
  let output: Promise<string>;
  try {
    output = runCaptured(["bash", "--noprofile", "--norc", "-c", `${stackrc}\n_ps_host_probe`], { cwd, env, timeoutMs: MAX_AGE_MS, capBytes: 64 * 1024 })
      .then((r) => (r.code === 0 && whole(r.stdout) ? r.stdout : ""))
      .catch(() => "");
  } catch {
    output = Promise.resolve("");
  }
  return { answers: async () => (performance.now() - started > MAX_AGE_MS ? "" : output) };
}

let early: HostProbe | undefined;

/** entry.ts: the probe, started with plugstack's own environment as the binary starts. */
export function startEarlyHostProbe(): void {
  early = startHostProbe(process.env, process.cwd());
}

/**
 * The probe for this run's first stack shell: the one started early, else
 * one started now; none when localrc may run commands (evaluated, never
 * kept: see config/declarative.ts), which stackrc's questions come after.
 */
export function hostProbeFor(env: Record<string, string | undefined>, cwd: string, localrcRunsCommands: boolean): HostProbe {
  const probe = early;
  early = undefined;
  if (localrcRunsCommands) return NO_HOST_PROBE;
  return probe ?? startHostProbe(env, cwd);
}
