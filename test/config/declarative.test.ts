// The classifier that decides whether a localrc's evaluation may be kept
// (src/config/declarative.ts): a table of texts it accepts and rejects.
import { expect, test } from "bun:test";
import { classifyLocalrc } from "../../src/config/declarative.ts";

const env = { URL: "https://example.org/a.git", SPACED: "a b", STAR: "x*", EMPTY: "" };

const accepted: [string, string[]][] = [
  ["", []],
  ["# only a comment\n\n   \t\n", []],
  ["DEST=/opt/stack\nenable_plugin foo https://example.org/foo.git master\n", []],
  ["export OFFLINE=True A=1\n", []],
  ["A=1 B=2\n", []],
  ["enable_plugin foo $URL\n", ["URL"]],
  ['enable_plugin foo "${URL}" stable/2024.1 # trailing comment\n', ["URL"]],
  ["X=${URL:-fallback}/y\n", ["URL"]],
  ["BASE=https://e.org\nenable_plugin foo $BASE/foo.git\n", []],
  ['MSG="hello world $URL"\n', ["URL"]],
  ["MSG='single $(not run) `quoted`'\n", []],
  ['enable_plugin foo "$SPACED"\n', ["SPACED"]],
  ["A=$SPACED\n", ["SPACED"]],
  ["enable_plugin \\\n  foo \\\n  $URL\n", ["URL"]],
  ["disable_all_services\nenable_service key mysql\ndisable_service horizon\n", []],
  ["A=${EMPTY:-lit}\n", ["EMPTY"]],
];

const rejected: [string, RegExp][] = [
  ["A=$(hostname)\n", /expansion/],
  ["A=`hostname`\n", /character/],
  ['A="`hostname`"\n', /command substitution/],
  ["A=$((1+2))\n", /expansion/],
  ["A=<(true)\n", /character/],
  ["A=1; B=2\n", /character/],
  ["A=1 &\n", /character/],
  ["echo hi | cat\n", /character/],
  ["A=1 > /tmp/x\n", /character/],
  ["A=*.conf\n", /character/],
  ["if true; then A=1; fi\n", /character/],
  ["f() { :; }\n", /character/],
  ["source /etc/profile\n", /command "source"/],
  [". /etc/profile\n", /command/],
  ["echo hello\n", /command "echo"/],
  ["A=1 enable_plugin foo https://e.org/foo.git\n", /command/],
  ["A=$HOST_IP\n", /HOST_IP, neither assigned before nor set in the environment/],
  ["enable_plugin foo ${GIT_BASE}/openstack/foo\n", /GIT_BASE/],
  ["A=${HOST_IP:-127.0.0.1}\n", /HOST_IP/],
  ["A=$RANDOM\n", /bash's own RANDOM/],
  ["PATH=/x:$PATH\n", /PATH/],
  ["IFS=:\n", /IFS/],
  ["enable_plugin foo $SPACED\n", /blanks or pattern/],
  ["enable_plugin foo $STAR\n", /blanks or pattern/],
  ["A=${URL#https}\n", /expansion/],
  ["A=${URL:=x}\n", /expansion/],
  ["A=$1\n", /expansion/],
  ["A='unclosed\n", /unclosed/],
  ["A=~/x\n", /character/],
  ["A={a,b}\n", /character/],
  ["A+=x\n", /command/],
  ["export\n", /export/],
  ["A=1 \\\n; B=2\n", /character/],
  ["enable_plugin foo https://e.org/x#frag\n", /character "#"/],
  ["ENABLED_SERVICES=a,b\ndisable_service a\nenable_plugin foo $ENABLED_SERVICES\n", /changed by a call/],
  ["ENABLED_SERVICES=a,b\ndisable_service a\nX=$ENABLED_SERVICES\nenable_plugin foo $X\n", /\$X, changed by a call/],
];

test.each(accepted)("declarative: %j", (text, refs) => {
  expect(classifyLocalrc(text, env)).toEqual({ declarative: true, refs });
});

test.each(rejected)("not declarative: %j", (text, reason) => {
  const r = classifyLocalrc(text, env);
  expect(r.declarative).toBe(false);
  if (!r.declarative) expect(r.reason).toMatch(reason);
});
