// insertEnableLines keeps every byte of the user's local.conf and adds the
// enable_plugin lines where a person would put them.
import { describe, expect, test } from "bun:test";
import { insertEnableLines, renderEnableLine } from "../../src/config/edit.ts";

const ADD = ["enable_plugin heat https://opendev.org/openstack/heat"];
const cases: [string, string, string, number[]][] = [
  ["an empty file", "", `[[local|localrc]]\n${ADD[0]}\n`, [2]],
  [
    "after the last enable_plugin at column 0",
    "[[local|localrc]]\nenable_plugin a /a   # first\nX=1\nenable_plugin b /b\n\nY=2\n",
    `[[local|localrc]]\nenable_plugin a /a   # first\nX=1\nenable_plugin b /b\n${ADD[0]}\n\nY=2\n`,
    [5],
  ],
  [
    "not inside an indented if-block",
    "[[local|localrc]]\nenable_plugin a /a\nif true; then\n    enable_plugin b /b\nfi\n",
    `[[local|localrc]]\nenable_plugin a /a\n${ADD[0]}\nif true; then\n    enable_plugin b /b\nfi\n`,
    [3],
  ],
  [
    "after the block's last line, before blank lines and the next block",
    "# top\n[[local|localrc]]\nDEST=/d\n\n\n[[post-config|$NOVA_CONF]]\n[DEFAULT]\nx = 1\n",
    `# top\n[[local|localrc]]\nDEST=/d\n${ADD[0]}\n\n\n[[post-config|$NOVA_CONF]]\n[DEFAULT]\nx = 1\n`,
    [4],
  ],
  [
    "a new block before the first block when there is no localrc block",
    "# comment\n[[post-config|$F]]\n[a]\nb = c\n",
    `# comment\n\n[[local|localrc]]\n${ADD[0]}\n\n[[post-config|$F]]\n[a]\nb = c\n`,
    [4],
  ],
  ["CRLF line endings are kept", "[[local|localrc]]\r\nDEST=/d\r\n", `[[local|localrc]]\r\nDEST=/d\r\n${ADD[0]}\r\n`, [3]],
  ["no final newline stays so", "[[local|localrc]]\nDEST=/d", `[[local|localrc]]\nDEST=/d\n${ADD[0]}`, [3]],
];

describe("insertEnableLines", () => {
  for (const [title, input, want, lines] of cases) {
    test(title, () => expect(insertEnableLines(input, "local.conf", ADD)).toEqual({ text: want, lines }));
  }
  test("several lines keep their order", () => {
    const r = insertEnableLines("[[local|localrc]]\n", "local.conf", ["enable_plugin a /a", "enable_plugin b /b"]);
    expect(r).toEqual({ text: "[[local|localrc]]\nenable_plugin a /a\nenable_plugin b /b\n", lines: [2, 3] });
  });
});

describe("renderEnableLine", () => {
  test("name, URL and optional REF", () => {
    expect(renderEnableLine({ name: "heat", url: "https://opendev.org/openstack/heat" }, "f")).toBe("enable_plugin heat https://opendev.org/openstack/heat");
    expect(renderEnableLine({ name: "heat", url: "/src/heat", ref: "stable/2024.1" }, "f")).toBe("enable_plugin heat /src/heat stable/2024.1");
  });
  test("a value that needs shell quoting is refused", () => {
    expect(() => renderEnableLine({ name: "x", url: "/my plugins/x" }, "local.conf")).toThrow('"/my plugins/x" would need shell quoting');
  });
});
