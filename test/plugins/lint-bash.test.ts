// The static reading of bash that `plugstack check` uses for unknown functions.
import { describe, expect, test } from "bun:test";
import { commandWords, definedFunctions } from "../../src/plugins/lint-bash.ts";

const words = (text: string) => commandWords(text).map((w) => `${w.word}:${w.line}`);

const cases: [string, string, string[]][] = [
  ["simple commands and lines", "iniset a b c\necho_summary hi\n", ["iniset:1", "echo_summary:2"]],
  [
    "after keywords and separators",
    "if is_service_enabled x; then foo_bar; fi\na && b || c | d\n",
    ["is_service_enabled:1", "foo_bar:1", "a:2", "b:2", "c:2", "d:2"],
  ],
  ["assignments before a command, and alone", "X=1 run_process a\nY=2\n", ["run_process:1"]],
  ["quoted text, [[ ]] and ${...} hold no commands", "echo \"not_a_cmd here\" 'x y'\n[[ -n ${A:-b} ]] && go_on\n", ["echo:1", "go_on:2"]],
  ["command substitutions count, also inside double quotes", 'X=$(get_thing a)\necho "$(other_thing)"\n', ["get_thing:1", "echo:2", "other_thing:2"]],
  ["comments", "# install_package x\nfoo # bar baz\n", ["foo:2"]],
  ["heredoc bodies are skipped", "cat <<EOF\nnot_a_command\nEOF\nafter_it\n", ["cat:1", "after_it:4"]],
  ["continuation lines are arguments", "iniset a \\\n    b c\n", ["iniset:1"]],
  ["case patterns are not commands", 'case "$1" in\n  stack) do_stack ;;\n  *) ;;\nesac\n', ["do_stack:2"]],
  ["function definitions are not calls; their bodies are", "function f_one {\n    inner_call\n}\ng_two() { other; }\n", ["inner_call:2", "other:4"]],
];

describe("commandWords", () => {
  for (const [title, text, want] of cases) test(title, () => expect(words(text)).toEqual(want));
});

test("definedFunctions", () => {
  expect(definedFunctions("function a_b {\n}\nc() {\n}\n  function d_e() {\n").map((d) => `${d.word}:${d.line}`)).toEqual(["a_b:1", "c:3", "d_e:5"]);
});
