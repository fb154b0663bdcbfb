// Whether output gets ANSI colours and glyphs. One decision for the whole
// process, in this order: --color always|never, FORCE_COLOR (0/false: off,
// anything else: on), NO_COLOR (set and non-empty: off), then "is the stream
// a terminal" (and TERM is not dumb).
import { UsageError } from "../errors.ts";

export type ColorMode = "auto" | "always" | "never";

let mode: ColorMode = "auto";

export function parseColorMode(value: string | undefined): ColorMode {
  if (value === "auto" || value === "always" || value === "never") return value;
  throw new UsageError(`--color takes auto, always or never, not "${value ?? ""}"`, "e.g. plugstack stack --color never");
}

/** main.ts sets the mode from --color before any command runs. */
export function setColorMode(m: ColorMode): void {
  mode = m;
}

export function useColor(stream: { isTTY?: boolean } = process.stderr, env: Record<string, string | undefined> = process.env): boolean {
  if (mode !== "auto") return mode === "always";
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR) return false;
  return !!stream.isTTY && env.TERM !== "dumb";
}

/** `s` without ANSI escape sequences. */
export function stripAnsi(s: string): string {
  // biome-ignore lint: the escape character is the point
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}
