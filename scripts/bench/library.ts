// Library scenario (`npm run bench -- --library`): the cost of one call of
// each hot library function, in microseconds, against a bare bash function
// call measured in the same bash process; and iniset/iniget on a 200-line
// file against starting one `awk` process. Runs the exported library
// (`plugstack lib export` layout) in real bash.
// Sizes: services already in ENABLED_SERVICES besides DevStack's defaults
// (default 50, as many plugins' services).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeLibraryTree } from "../../src/shell/export.ts";
import type { BenchOptions, BenchRow } from "./table.ts";

const DEFAULTS =
  "key,n-api,n-cpu,n-cond,n-sch,n-novnc,n-api-meta,placement-api,g-api,c-sch,c-api,c-vol,q-svc,q-agt,q-dhcp,q-l3,q-meta,mysql,rabbit,etcd3,horizon,tempest";

// Each case: NAME and the call, timed over K calls in one loop; `bare` is the
// baseline. The library's own output goes to /dev/null for the whole loop
// (the bare call's too), so no case pays for a redirection. The stack
// shell's driver is loaded and has an event fd (echo_summary reports to it).
const SCRIPT = String.raw`
set -u
source "$TOP/functions"
# as in the stack shell: the driver loaded, events written to an fd
source "$DRIVER"
exec {PLUGSTACK_EVENT_FD}>/dev/null
_bare() { local a=$1; [[ ,$ENABLED_SERVICES, == *,"$a",* ]]; }
SETTING=yes
K=$1 B=$2
# timeit NAME CMD...: µs per call of CMD: the best of B batches of K calls
# (the best batch is the one the machine's other work disturbed least).
# With EACH set, call i of a batch gets NAMES[i] as one more argument (no
# wrapper function: its own loop expands it, as the other loop expands
# "\${@:2}"; the other cases' loop is left as it is)
timeit() {
    local i b t0 t1 best=""
    for ((b = 0; b < B; b++)); do
        "$RESET"
        if [[ -n $EACH ]]; then
            t0=$EPOCHREALTIME
            for ((i = 0; i < K; i++)); do "\${@:2}" "\${NAMES[i]}"; done
        else
            t0=$EPOCHREALTIME
            for ((i = 0; i < K; i++)); do "\${@:2}"; done
        fi
        t1=$EPOCHREALTIME
        t0=\${t0/./} t1=\${t1/./}
        t1=$((10#$t1 - 10#$t0))
        [[ -n $best && $best -le $t1 ]] || best=$t1
    done
    printf '%s %s\n' "$1" "$((best * 1000 / K))" >&3
}
EACH=""
# RESET: run before each batch, untimed
RESET=:
BASE=$ENABLED_SERVICES
# each batch enables K services that are not listed yet, as K plugins do,
# starting from DevStack's defaults (with K = N, the list grows to as long
# as the one the other cases use); or disables them again, starting from
# the defaults and those K
NAMES=()
for ((i = 0; i < K; i++)); do NAMES+=("extra$i"); done
before_enable() { ENABLED_SERVICES=$DEFAULTS DISABLED_SERVICES=""; }
before_disable() {
    ENABLED_SERVICES=$DEFAULTS DISABLED_SERVICES=""
    for ((i = 0; i < K; i++)); do ENABLED_SERVICES+=",\${NAMES[i]}"; done
}
{
    timeit bare _bare plugin1
    timeit "is_service_enabled(hit)" is_service_enabled plugin1
    timeit "is_service_enabled(miss)" is_service_enabled not-there
    timeit "is_service_enabled(nova catch-all)" is_service_enabled nova
    timeit "enable_service(already)" enable_service plugin1
    RESET=before_enable EACH=1
    timeit "enable_service(new)" enable_service
    RESET=before_disable
    timeit disable_service disable_service
    EACH=""
    RESET=:
    ENABLED_SERVICES=$BASE
    timeit trueorfalse trueorfalse False SETTING
    timeit echo_summary echo_summary "configuring something"
    timeit die_if_not_set die_if_not_set 1 SETTING "SETTING is not set"
    timeit _cleanup_service_list _cleanup_service_list ",a,,b,"
    timeit remove_disabled_services remove_disabled_services "a,b,c,d" "b,d"
    timeit disable_negated_services disable_negated_services
    timeit bare _bare plugin1
    timeit "iniget(200 lines)" iniget "$INI" section9 opt5
    timeit "iniset(200 lines)" iniset "$INI" section9 opt5 value
    timeit "awk start" awk "BEGIN { exit }"
} >/dev/null 2>&1 3>&4
`;

export async function benchLibrary(opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const [k, b] = opts.smoke ? [5, 2] : [50, 20];
  for (const n of opts.sizes ?? (opts.smoke ? [5] : [50])) {
    const root = mkdtempSync(join(tmpdir(), "plugstack-bench-lib-"));
    try {
      const top = join(root, "top");
      writeLibraryTree(top);
      const ini = join(root, "test.ini");
      // 20 sections of 9 options and a comment: 200 lines
      const sections = Array.from({ length: 20 }, (_, s) => [
        `[section${s}]`,
        "# a comment",
        ...Array.from({ length: 8 }, (_, o) => `opt${o} = value ${s} ${o}`),
      ]);
      writeFileSync(ini, `${sections.map((lines) => lines.join("\n")).join("\n")}\n`);
      writeFileSync(join(root, "bench.sh"), SCRIPT.replaceAll("\\$", "$"));
      const services = [DEFAULTS, ...Array.from({ length: n }, (_, i) => `plugin${i + 1}`)].join(",");
      const times = new Map<string, number[]>();
      for (let r = 0; r < opts.runs; r++) {
        const p = Bun.spawnSync(
          ["bash", "--norc", "--noprofile", "-c", `bash --norc --noprofile "$0" "$1" "$2" 4>&1`, join(root, "bench.sh"), String(k), String(b)],
          {
            cwd: root,
            env: {
              PATH: process.env.PATH ?? "/usr/bin:/bin",
              HOME: root,
              LANG: "C.UTF-8",
              TOP: top,
              INI: ini,
              DRIVER: join(import.meta.dir, "..", "..", "src", "shell", "driver.sh"),
              ENABLED_SERVICES: services,
              DEFAULTS,
            },
            stdout: "pipe",
            stderr: "pipe",
          },
        );
        if (p.exitCode !== 0) throw new Error(`library benchmark failed (${p.exitCode}): ${p.stderr.toString()}`);
        for (const line of p.stdout.toString().trim().split("\n")) {
          const at = line.lastIndexOf(" ");
          const name = line.slice(0, at);
          times.set(name, [...(times.get(name) ?? []), Number(line.slice(at + 1)) / 1000]);
        }
      }
      const best = (name: string) => Math.min(...(times.get(name) ?? [NaN]));
      const bare = Math.min(best("bare"));
      const awk = best("awk start");
      opts.log(`library: ${[...times].map(([k2, v]) => `${k2}=${Math.min(...v).toFixed(1)}us`).join(" ")}`);
      for (const [name] of times) {
        if (name === "bare" || name === "awk start") continue;
        const ini2 = name.startsWith("ini");
        rows.push({
          scenario: "library",
          n: ini2 ? "200 lines" : `${n} services`,
          figure: name,
          value: best(name),
          baselineName: ini2 ? "one awk start" : "bare bash function",
          baseline: ini2 ? awk : bare,
          unit: "us",
          goal: ini2 ? { limit: awk, text: "<= 1.00" } : { limit: 3 * bare, text: "<= 3.00" },
        });
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return rows;
}
