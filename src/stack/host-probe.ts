// stackrc's questions to the host that each take a process (uname -m,
// nproc, hostname -s, id -gn, and ip for HOST_IP and HOST_IPV6), asked by
// one bash running the library's own probe (`_ps_host_probe` in stackrc.sh)
// as soon as plugstack starts a stack, unstack or clean, on the core its
// own start leaves free. The answers go into the run script as bash
// assignments, and stackrc takes them only while what they depend on is as
// it was for the probe (`_ps_take_host_probe`); else it asks the host
// itself, as without them. entry.ts loads this module before the CLI.
import stackrc from "../shell/stackrc.sh" with { type: "text" };
import { startGroupChild } from "../util/group-child.ts";

export interface HostProbe {
  /** the probe's output, assignments for the run script; "" when it gave none (then stackrc asks the host) */
  answers(): Promise<string>;
}

/** The probe's output is whole: its key first, its end mark last. */
function whole(text: string): boolean {
  return text.startsWith("_PS_PROBE_AT=") && text.endsWith("\n_PS_PROBED=1\n");
}

function startHostProbe(env: Record<string, string | undefined>, cwd: string): HostProbe {
  let answers: Promise<string>;
  try {
    const { child, exited, untrack } = startGroupChild(["bash", "--noprofile", "--norc", "-c", `${stackrc}\n_ps_host_probe`], { cwd, env });
    const chunks: Buffer[] = [];
    const out = new Promise<string>((resolve, reject) => {
      child.stdout?.on("data", (b: Buffer) => chunks.push(b));
      child.stdout?.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      child.stdout?.on("error", reject);
    });
    child.stderr?.resume();
    answers = Promise.all([out, exited])
      .then(([text, { code }]) => (code === 0 && whole(text) ? text : ""))
      .catch(() => "")
      .finally(untrack);
  } catch {
    answers = Promise.resolve("");
  }
  return { answers: () => answers };
}

let early: HostProbe | undefined;

/** entry.ts: the probe, started with plugstack's own environment as the binary starts. */
export function startEarlyHostProbe(): void {
  early = startHostProbe(process.env, process.cwd());
}

/** The probe for this run: the one started early, else one started now. */
export function hostProbeFor(env: Record<string, string | undefined>, cwd: string): HostProbe {
  const probe = early ?? startHostProbe(env, cwd);
  early = undefined;
  return probe;
}
