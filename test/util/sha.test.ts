import { describe, expect, test } from "bun:test";
import { isFullSha, looksLikeSha } from "../../src/util/sha.ts";

// [input, whole object name, may abbreviate one]
const rows: [string, boolean, boolean][] = [
  ["0123456789abcdef0123456789abcdef01234567", true, true],
  ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true, true],
  ["0123456789ABCDEF0123456789ABCDEF01234567", false, false], // git prints lowercase; the lock requires it
  ["0123456789abcdef", false, true],
  ["0123456", false, true],
  ["012345", false, false],
  ["0123456789abcdef0123456789abcdef0123456", false, true],
  ["0123456789abcdef0123456789abcdef012345678", false, true],
  ["0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0", false, false],
  ["g123456789abcdef0123456789abcdef01234567", false, false],
  ["master", false, false],
  ["", false, false],
];

describe("git object names", () => {
  for (const [input, full, abbreviated] of rows)
    test(JSON.stringify(input), () => {
      expect(isFullSha(input)).toBe(full);
      expect(looksLikeSha(input)).toBe(abbreviated);
    });
});
