// The bindep line grammar as a small PEG parser (ordered choice, greedy
// repetition, no backtracking into a part that matched), so that exactly the
// lines bindep accepts are accepted. Errors report the furthest position
// reached and what was expected there. Pure.
import type { Constraint, Selector, SelectorItem } from "./bindep.ts";
import type { Relation } from "./version.ts";

export type LineResult =
  | { kind: "blank" | "comment" }
  | { kind: "rule"; rule: { name: string; selectors: SelectorItem[]; constraints: Constraint[] } }
  | { kind: "error"; column: number; message: string };

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
const DIGIT = /^\p{Nd}$/u;
const isAlnum = (c: string | undefined) => c !== undefined && LETTER_OR_DIGIT.test(c);
const isDigit = (c: string | undefined) => c !== undefined && DIGIT.test(c);
const isNameRest = (c: string | undefined) => isAlnum(c) || (c !== undefined && ".+-_/".includes(c));
const isProfileChar = (c: string | undefined) => c !== undefined && ((c >= "a" && c <= "z") || isDigit(c) || c === ":" || c === "-" || c === ".");
const isUpstreamChar = (c: string | undefined) => isAlnum(c) || (c !== undefined && ".+~:".includes(c));
const isDebverChar = (c: string | undefined) => isAlnum(c) || (c !== undefined && ".+~".includes(c));
const RELATIONS: Relation[] = ["<=", "<", "!=", "==", ">=", ">"];

class LineParser {
  private pos = 0;
  private furthest = 0;
  private expected = new Set<string>();
  constructor(private readonly s: string[]) {}

  private fail(what: string): false {
    if (this.pos > this.furthest) {
      this.furthest = this.pos;
      this.expected = new Set();
    }
    if (this.pos === this.furthest) this.expected.add(what);
    return false;
  }
  private lit(text: string): boolean {
    const chars = [...text];
    if (chars.every((c, k) => this.s[this.pos + k] === c)) {
      this.pos += chars.length;
      return true;
    }
    return this.fail(`'${text}'`);
  }
  private spaces(min: number): boolean {
    const start = this.pos;
    while (this.s[this.pos] === " ") this.pos++;
    if (this.pos - start >= min) return true;
    return this.fail("a space");
  }
  private atEnd(): boolean {
    return this.pos >= this.s.length || this.fail("end of line");
  }

  line(): LineResult {
    if (isAlnum(this.s[0])) {
      const rule = this.rule();
      if (rule) return { kind: "rule", rule };
      this.pos = 0;
    } else {
      this.fail("a package name");
    }
    this.spaces(0);
    if (this.s[this.pos] === "#") return { kind: "comment" };
    this.fail("'#'");
    if (this.atEnd()) return { kind: "blank" };
    return this.error();
  }

  private error(): LineResult {
    const c = this.s[this.furthest];
    const found = c === undefined ? "end of line" : c === "\t" ? "a tab" : c === "\r" ? "a carriage return" : `'${c}'`;
    return { kind: "error", column: this.furthest + 1, message: `unexpected ${found}, expected ${[...this.expected].join(" or ")}` };
  }

  private rule() {
    const start = this.pos;
    this.pos++;
    if (!isNameRest(this.s[this.pos])) return this.fail("more of the package name (at least 2 characters)") || null;
    while (isNameRest(this.s[this.pos])) this.pos++;
    const name = this.s.slice(start, this.pos).join("");
    this.fail("a package name character");
    const selectors = this.optional(() => this.selector()) ?? [];
    const constraints = this.optional(() => this.version()) ?? [];
    if (this.pos >= this.s.length) return { name, selectors, constraints };
    this.fail("end of line");
    this.spaces(0);
    if (this.s[this.pos] === "#") return { name, selectors, constraints };
    this.fail("'#'");
    return null;
  }

  private optional<T>(part: () => T | null): T | null {
    const start = this.pos;
    const value = part();
    if (value === null) this.pos = start;
    return value;
  }

  /** Zero or more of `part`, greedily; the one that fails is undone. */
  private many<T>(part: () => T | null): T[] {
    const items: T[] = [];
    for (let item = this.optional(part); item !== null; item = this.optional(part)) items.push(item);
    return items;
  }

  /** `part`s, each after optional spaces, then optional spaces and `close`. */
  private spacedUntil<T>(part: () => T | null, close: string): T[] | null {
    const items = this.many(() => {
      this.spaces(0);
      return part();
    });
    this.spaces(0);
    return this.lit(close) ? items : null;
  }

  private selector(): SelectorItem[] | null {
    if (!this.spaces(1) || !this.lit("[")) return null;
    return this.spacedUntil(() => this.group(), "]");
  }

  private group(): SelectorItem | null {
    const start = this.pos;
    if (this.s[this.pos] === "(") {
      this.pos++;
      const members = this.spacedUntil(() => this.profile(), ")");
      if (members) return members;
      this.pos = start;
    } else {
      this.fail("'('");
    }
    return this.profile();
  }

  private profile(): Selector | null {
    const start = this.pos;
    const positive = this.s[this.pos] !== "!";
    if (!positive) this.pos++;
    const nameStart = this.pos;
    while (isProfileChar(this.s[this.pos])) this.pos++;
    if (this.pos === nameStart) {
      this.fail("a profile (a-z 0-9 : - .)");
      this.pos = start;
      return null;
    }
    this.fail("a profile character");
    return { positive, name: this.s.slice(nameStart, this.pos).join("") };
  }

  private version(): Constraint[] | null {
    if (!this.spaces(1)) return null;
    const first = this.oneVersion();
    if (!first) return null;
    return [first, ...this.many(() => (this.lit(",") ? this.oneVersion() : null))];
  }

  private oneVersion(): Constraint | null {
    const start = this.pos;
    const relation = RELATIONS.find((r) => this.s.slice(this.pos, this.pos + r.length).join("") === r);
    if (!relation) {
      this.fail("a version relation (<= < != == >= >)");
      return null;
    }
    this.pos += relation.length;
    const vStart = this.pos;
    let matched = this.upstreamHyphen();
    if (!matched) {
      this.pos = vStart;
      matched = this.upstreamNoHyphen();
    }
    if (matched) return { relation, version: this.s.slice(vStart, this.pos).join("") };
    this.pos = start;
    return null;
  }

  // [epoch:] and the digit every version starts with
  private versionStart(): boolean {
    let k = this.pos;
    while (isDigit(this.s[k])) k++;
    if (k > this.pos && this.s[k] === ":") this.pos = k + 1;
    if (!isDigit(this.s[this.pos])) return this.fail("a version starting with a digit");
    this.pos++;
    return true;
  }

  // upstream '-' revision: the last hyphen that is followed by a revision splits them
  private upstreamHyphen(): boolean {
    if (!this.versionStart()) return false;
    for (;;) {
      const c = this.s[this.pos];
      if (isUpstreamChar(c)) this.pos++;
      else if (c === "-" && this.revisionFollows(this.pos + 1)) this.pos++;
      else break;
    }
    if (this.s[this.pos] !== "-") return this.fail("'-'");
    this.pos++;
    if (!isDebverChar(this.s[this.pos])) return this.fail("a Debian revision");
    while (isDebverChar(this.s[this.pos])) this.pos++;
    return true;
  }

  private revisionFollows(k: number): boolean {
    while (isUpstreamChar(this.s[k])) k++;
    return this.s[k] === "-" && isDebverChar(this.s[k + 1]);
  }

  private upstreamNoHyphen(): boolean {
    if (!this.versionStart()) return false;
    while (isUpstreamChar(this.s[this.pos])) this.pos++;
    return true;
  }
}

/** Parses one line (without its newline). */
export function parseBindepLine(line: string): LineResult {
  return new LineParser([...line]).line();
}
