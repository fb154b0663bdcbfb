// Differential check of compareDpkgVersions against the real dpkg on this machine.
import { expect, test } from "bun:test";
import { compareDpkgVersions } from "../../src/packages/version.ts";

const hasDpkg = Bun.which("dpkg") !== null;

// deterministic pseudo-random versions built from the characters dpkg allows
function* versions(n: number): Generator<string> {
  let seed = 42;
  const rand = (k: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % k;
  };
  const parts = ["0", "1", "2", "10", "01", "a", "b", "z", "Z", "~", "+", ".", "rc", "~rc", "+b", ".0"];
  for (let i = 0; i < n; i++) {
    let v = String(rand(3));
    for (let j = rand(5); j > 0; j--) v += parts[rand(parts.length)];
    if (rand(3) === 0) v += `-${rand(4)}${parts[rand(parts.length)]}${rand(3)}`;
    if (rand(5) === 0) v = `${rand(3)}:${v}`;
    yield v;
  }
}

test.skipIf(!hasDpkg)("agrees with dpkg --compare-versions on 300 generated pairs", async () => {
  const list = [...versions(600)];
  const pairs: [string, string][] = [];
  for (let i = 0; i < list.length; i += 2) pairs.push([list[i]!, list[i + 1]!]);
  const script = pairs
    .map(([a, b]) => `if dpkg --compare-versions '${a}' lt '${b}'; then echo -1; elif dpkg --compare-versions '${a}' eq '${b}'; then echo 0; else echo 1; fi`)
    .join("\n");
  const proc = Bun.spawn(["bash", "-c", script], { stdout: "pipe", stderr: "pipe" });
  const out = (await new Response(proc.stdout).text()).trim().split("\n").map(Number);
  expect(await proc.exited).toBe(0);
  const mismatches = pairs.filter(([a, b], i) => compareDpkgVersions(a, b) !== out[i]).map(([a, b]) => `${a} vs ${b}`);
  expect(mismatches).toEqual([]);
});
