// bindep files: grammar, evaluation against profiles, and the report text.
// Pure: the caller supplies file text, active profiles and installed versions.
//
// Grammar (one rule per line; the line ends the rule):
//   rule       = name selector? version? (EOL | ' '* '#' anything)
//   name       = letterOrDigit (letterOrDigit | . + - _ /)+        (2 chars at least)
//   selector   = ' '+ '[' (' '* group)* ' '* ']'
//   group      = '(' (' '* profile)* ' '* ')' | profile            ( "(a b)" = a AND b )
//   profile    = '!'? (a-z | digit | : | - | .)+
//   version    = ' '+ relation debversion (',' relation debversion)*
//   relation   = <= | < | != | == | >= | >
// plus comment lines (' '* '#' ...) and blank lines (' '*). Only spaces are
// whitespace: a tab or a trailing space is an error, as in bindep. A last line
// without a newline still counts.
import { BindepParseError } from "../errors.ts";
import { parseBindepLine } from "./bindep-grammar.ts";
import { type Relation, satisfiesConstraint, type VersionScheme } from "./version.ts";

export interface Selector {
  positive: boolean;
  name: string;
}
/** A plain selector, or an AND group written `(a b)`. */
export type SelectorItem = Selector | Selector[];
export interface Constraint {
  relation: Relation;
  version: string;
}
export interface BindepRule {
  name: string;
  selectors: SelectorItem[];
  constraints: Constraint[];
  /** 1-based line in the file */
  line: number;
}

export interface BindepLineError {
  line: number;
  column: number;
  message: string;
}

/** Parses a whole bindep file, collecting every line's error instead of stopping at the first. */
export function parseBindepLines(text: string): { rules: BindepRule[]; errors: BindepLineError[] } {
  const rules: BindepRule[] = [];
  const errors: BindepLineError[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  lines.forEach((line, i) => {
    const r = parseBindepLine(line);
    if (r.kind === "error") errors.push({ line: i + 1, column: r.column, message: r.message });
    else if (r.kind === "rule") rules.push({ ...r.rule, line: i + 1 });
  });
  return { rules, errors };
}

export const BINDEP_LINE_HINT = "bindep lines are: name [profiles] <=version,>=version  # comment (spaces only, no tabs or trailing spaces)";

/** Parses a whole bindep file; throws BindepParseError naming file:line:col. */
export function parseBindep(text: string, file = "bindep.txt"): BindepRule[] {
  const { rules, errors } = parseBindepLines(text);
  const e = errors[0];
  if (e) throw new BindepParseError(`${file}:${e.line}:${e.column}: ${e.message}`, BINDEP_LINE_HINT);
  return rules;
}

const isPlatform = (s: SelectorItem): boolean => !Array.isArray(s) && s.name.startsWith("platform:");

/** bindep's split: plain `platform:` selectors on one side, everything else (groups included) on the other. */
function partitionSelectors(rule: BindepRule): { platform: SelectorItem[]; user: SelectorItem[] } {
  return { platform: rule.selectors.filter(isPlatform), user: rule.selectors.filter((s) => !isPlatform(s)) };
}

/**
 * One side's vote: null when it has no selectors; false when a negative
 * selector matches, or when positive selectors/groups exist and none match;
 * true otherwise.
 */
export function evaluateSelectors(items: SelectorItem[], profiles: ReadonlySet<string>): boolean | null {
  if (items.length === 0) return null;
  let positive = false;
  let matched = false;
  let group = false;
  for (const item of items) {
    if (Array.isArray(item)) {
      group = true;
      if (item.every((s) => profiles.has(s.name) === s.positive)) matched = true;
    } else if (item.positive) {
      positive = true;
      if (profiles.has(item.name)) matched = true;
    } else if (profiles.has(item.name)) {
      return false;
    }
  }
  return matched || (!group && !positive);
}

/** bindep's truth table: a rule is active unless the platform side or the user side votes no. */
export function combineVotes(platform: boolean | null, user: boolean | null): boolean {
  return platform !== false && user !== false;
}

/** The rules active for these profiles (user profiles and platform atoms together). */
export function activeRules(rules: BindepRule[], profiles: Iterable<string>): BindepRule[] {
  const set = new Set(profiles);
  return rules.filter((rule) => {
    const { platform, user } = partitionSelectors(rule);
    return combineVotes(evaluateSelectors(platform, set), evaluateSelectors(user, set));
  });
}

/** The "Configuration profiles" bindep lists: user-side selector names, groups flattened, sorted. */
export function userProfiles(rules: BindepRule[]): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    for (const item of partitionSelectors(rule).user) {
      for (const s of Array.isArray(item) ? item : [item]) out.add(s.name);
    }
  }
  return [...out].sort();
}

export interface BadVersion {
  name: string;
  /** relation and version as written, e.g. `>=1.2` */
  constraint: string;
  installed: string;
}
export interface BindepCheck {
  /** sorted, without duplicates */
  missing: string[];
  /** in rule order */
  badVersions: BadVersion[];
}

/** Which active rules are not satisfied by the installed versions (null = not installed). */
export function checkRules(rules: BindepRule[], installed: (name: string) => string | null, scheme: VersionScheme): BindepCheck {
  const missing = new Set<string>();
  const badVersions: BadVersion[] = [];
  for (const rule of rules) {
    const version = installed(rule.name);
    if (!version) {
      missing.add(rule.name);
      continue;
    }
    for (const c of rule.constraints) {
      if (!satisfiesConstraint(scheme, version, c.relation, c.version)) {
        badVersions.push({ name: rule.name, constraint: `${c.relation}${c.version}`, installed: version });
      }
    }
  }
  return { missing: [...missing].sort(), badVersions };
}

/** bindep's report: "Missing packages:" / "Bad versions of installed packages:", or with brief only the missing names. */
export function renderBindepCheck(check: BindepCheck, brief: boolean): string {
  const out: string[] = [];
  if (check.missing.length) {
    if (brief) out.push(check.missing.join("\n"));
    else out.push("Missing packages:", `    ${check.missing.join(" ")}`);
  }
  if (check.badVersions.length && !brief) {
    out.push("Bad versions of installed packages:");
    for (const b of check.badVersions) out.push(`    ${b.name} version ${b.installed} does not match ${b.constraint}`);
  }
  return out.map((l) => `${l}\n`).join("");
}

/** `-l newline|csv`: every active rule's package, in file order (duplicates kept), as bindep prints them. */
export function renderBindepList(rules: BindepRule[], format: "newline" | "csv"): string {
  const names = rules.map((r) => r.name);
  return `${names.join(format === "csv" ? "," : "\n")}\n`;
}

/** `--profiles`: platform atoms, a blank line, then the file's configuration profiles. */
export function renderBindepProfiles(platformAtoms: string[], configuration: string[]): string {
  return ["Platform profiles:", ...platformAtoms, "", "Configuration profiles:", ...configuration].map((l) => `${l}\n`).join("");
}
