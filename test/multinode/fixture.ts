// The multi-node fixture: two plugins served by the lab's git daemon, and an
// inventory written with DevStack's Zuul variable names.
// ps-api (controller): serves an HTTP page on $HOST_IP:8080.
// ps-agent (subnodes): in `stack test-config`, checks that ps-api answers on
// $SERVICE_HOST; `PS12_FAIL=True` makes its install hook fail.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, makeRepo } from "../helpers/git.ts";
import type { Lab } from "./lab.ts";
import { GIT_ADDRESS } from "./lab.ts";

export const API_PLUGIN = {
  "devstack/settings": "define_plugin ps-api\n",
  "devstack/plugin.sh": [
    "if is_service_enabled ps-api; then",
    '    case "$1/$2" in',
    "        stack/install)",
    "            if [[ -n ${PS12_WORK_SECONDS:-} ]]; then sleep $PS12_WORK_SECONDS; fi",
    '            mkdir -p "$DEST/ps-api-www"',
    '            echo "ps-api on $HOST_IP" > "$DEST/ps-api-www/index.html" ;;',
    "        stack/extra)",
    "            stop_process ps-api",
    '            run_process ps-api "/usr/bin/python3 -m http.server 8080 --bind $HOST_IP --directory $DEST/ps-api-www"',
    "            for _ in $(seq 50); do (exec 3<>/dev/tcp/$HOST_IP/8080) 2>/dev/null && break; sleep 0.1; done ;;",
    "        unstack/*)",
    "            stop_process ps-api ;;",
    "    esac",
    "fi",
    "",
  ].join("\n"),
};

/** ps-agent's plugin.sh; the `false` of PS12_FAIL is on line FAIL_LINE. */
export const FAIL_LINE = 5;
export const AGENT_PLUGIN = {
  "devstack/settings": "define_plugin ps-agent\nplugin_requires ps-agent ps-api\n",
  "devstack/plugin.sh": [
    "if is_service_enabled ps-agent; then",
    '    case "$1/$2" in',
    "        stack/install)",
    '            if [[ "${PS12_FAIL:-}" == True ]]; then',
    "                false",
    "            fi",
    "            if [[ -n ${PS12_WORK_SECONDS:-} ]]; then sleep $PS12_WORK_SECONDS; fi ;;",
    "        stack/test-config)",
    "            exec 9<>/dev/tcp/$SERVICE_HOST/8080",
    "            printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&9",
    "            reply=$(cat <&9)",
    "            exec 9<&-",
    '            [[ $reply == *"ps-api on $SERVICE_HOST"* ]] || die $LINENO "ps-api on $SERVICE_HOST did not answer"',
    '            echo "$SERVICE_HOST answered" > "$DEST/ps-agent-saw" ;;',
    "    esac",
    "fi",
    "",
  ].join("\n"),
};

export interface FixtureRepos {
  api: { dir: string; commits: string[] };
  agent: { dir: string; commits: string[] };
}

/** Both plugins as repos of two commits each under the lab's git daemon. */
export function makeFixtureRepos(lab: Lab): FixtureRepos {
  const make = (name: string, files: Record<string, string>) => {
    const r = makeRepo(join(lab.gitDir, name), { files, commits: 2 });
    git(r.dir, "config", "daemon.uploadpack", "true");
    return { dir: r.dir, commits: r.commits };
  };
  return { api: make("ps-api", API_PLUGIN), agent: make("ps-agent", AGENT_PLUGIN) };
}

export const pluginUrl = (name: string) => `git://${GIT_ADDRESS}/${name}`;

/**
 * A 3-host inventory in DevStack's Zuul terms: group controller (ps-api) and
 * group subnode (ps-agent), the same plugins everywhere. `extra` adds
 * variables for all hosts; `hostVars` per host name (without the prefix).
 */
export function writeInventory(lab: Lab, file: string, extra: Record<string, unknown> = {}, hostVars: Record<string, Record<string, unknown>> = {}): void {
  const [controller, ...subnodes] = lab.hosts;
  const host = (h: (typeof lab.hosts)[number]) => [
    h.name,
    { ansible_host: h.address, ansible_user: "root", ...(hostVars[h.name.replace(/^ps12-/, "")] ?? {}) },
  ];
  const inventory = {
    all: {
      vars: {
        devstack_plugins: { "ps-agent": pluginUrl("ps-agent"), "ps-api": pluginUrl("ps-api") },
        // the hosts share this machine's /etc and have no route to a package archive
        devstack_localrc: { ADMIN_PASSWORD: "secret", LOGDIR: "$DEST/logs", PLUGSTACK_HOST_SETUP: "False" },
        ...extra,
      },
      children: {
        controller: { hosts: Object.fromEntries([host(controller!)]), vars: { devstack_services: { "ps-api": true } } },
        subnode: { hosts: Object.fromEntries(subnodes.map(host)), vars: { devstack_services: { "ps-agent": true } } },
      },
    },
  };
  writeFileSync(file, JSON.stringify(inventory, null, 2));
}
