import { describe, expect, test } from "bun:test";
import { renderArray, renderAssign, renderAssoc, shellQuote } from "../../src/util/quote.ts";

// Every value must come back from bash byte for byte.
async function echoBack(assignment: string, expr: string): Promise<string> {
  const p = Bun.spawn(["bash", "-c", `${assignment}\nprintf '%s' ${expr}`], { stdout: "pipe" });
  return await new Response(p.stdout).text();
}

describe("shellQuote round-trips through bash", () => {
  const rows: [string, string][] = [
    ["plain", "heat"],
    ["spaces", "a b  c"],
    ["single quote", "it's"],
    ["dollar and backticks", "$HOME `id` $(id)"],
    ["newline", "a\nb"],
    ["glob", "*"],
    ["empty", ""],
    ["backslashes", "a\\b\\'"],
    ["leading dash", "-rf"],
  ];
  for (const [name, value] of rows) {
    test(name, async () => {
      expect(await echoBack(renderAssign("V", value), '"$V"')).toBe(value);
    });
  }
  test("NUL is refused", () => {
    expect(() => shellQuote("a\0b")).toThrow();
  });
  test("bad variable names are refused", () => {
    expect(() => renderAssign("A-B", "x")).toThrow();
    expect(() => renderAssign("1A", "x")).toThrow();
  });
});

describe("arrays", () => {
  test("indexed", async () => {
    expect(await echoBack(renderArray("A", ["x y", "it's", "$Z"]), '"${A[1]}|${A[0]}|${A[2]}|${#A[@]}"')).toBe("it's|x y|$Z|3");
  });
  test("associative", async () => {
    expect(await echoBack(renderAssoc("M", { "a b": "1'2", c: "$x" }), '"${M[a b]}|${M[c]}"')).toBe("1'2|$x");
  });
});
