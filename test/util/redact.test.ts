import { describe, expect, test } from "bun:test";
import { redact, splitCredentials, stripCredentials } from "../../src/util/redact.ts";

// [text, redacted]
const texts: [string, string][] = [
  ["https://user:pw@example.org/p.git", "https://***@example.org/p.git"],
  ["http://token@example.org/p", "http://***@example.org/p"],
  ["HTTPS://u:p@Example.org", "HTTPS://***@Example.org"],
  ["https://u:p%40ss@host:8443/x", "https://***@host:8443/x"],
  ["https://u:p@ss@host/x", "https://***@host/x"],
  ["ssh://git@host/x", "ssh://git@host/x"],
  ["ssh://git:secret@host/x", "ssh://***@host/x"],
  ["git://u:pw@host/x", "git://***@host/x"],
  ["git@github.com:org/repo", "git@github.com:org/repo"],
  ["https://example.org/p.git", "https://example.org/p.git"],
  ["https://***@example.org/p", "https://***@example.org/p"],
  ["mail me at a@b.org", "mail me at a@b.org"],
  ["fatal: unable to access 'http://u:pw@127.0.0.1:8080/p.git/': 401", "fatal: unable to access 'http://***@127.0.0.1:8080/p.git/': 401"],
  ['enable_plugin p "https://a:b@h/p" master; enable_plugin q https://c:d@h/q', 'enable_plugin p "https://***@h/p" master; enable_plugin q https://***@h/q'],
  ['url = "https://u:pw@h/p"\nurl = "https://h/q"', 'url = "https://***@h/p"\nurl = "https://h/q"'],
  ["https://u:pw@h", "https://***@h"],
  ["://user:pw@host/x (scheme missing)", "://***@host/x (scheme missing)"],
  ["://user@host/x", "://user@host/x"],
  ["", ""],
];

describe("redact", () => {
  for (const [input, out] of texts)
    test(JSON.stringify(input), () => {
      expect(redact(input)).toBe(out);
      expect(redact(redact(input))).toBe(out);
    });
});

// [url, bare url, username, password]
const urls: [string, string, string | undefined, string | undefined][] = [
  ["https://user:pw@example.org/p.git", "https://example.org/p.git", "user", "pw"],
  ["https://token@example.org/p.git", "https://example.org/p.git", "token", undefined],
  ["https://u%3Ax:p%40ss@h:8443/p", "https://h:8443/p", "u:x", "p@ss"],
  ["https://u:p@ss@h/p", "https://h/p", "u", "p@ss"],
  ["https://u:@h/p", "https://h/p", "u", ""],
  ["https://***@h/p", "https://h/p", undefined, undefined],
  ["ssh://git@h/p", "ssh://git@h/p", undefined, undefined],
  ["ssh://git:pw@h/p", "ssh://h/p", "git", "pw"],
  ["git@h:p", "git@h:p", undefined, undefined],
  ["file:///srv/p.git", "file:///srv/p.git", undefined, undefined],
  ["/srv/p", "/srv/p", undefined, undefined],
];

describe("splitCredentials", () => {
  for (const [input, bare, username, password] of urls)
    test(input, () => {
      const s = splitCredentials(input);
      expect(s.url).toBe(bare);
      expect(s.username).toBe(username);
      expect(s.password).toBe(password);
      expect(stripCredentials(input)).toBe(bare);
    });
});
