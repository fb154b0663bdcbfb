// The one audited quoting helper: every value from local.conf, the lock or the
// command line that reaches the stack shell's source text goes through here.
// Single quotes make bash take every byte literally; a single quote inside
// the value is closed, escaped and reopened.
// Leaf module: imports nothing.

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function shellQuote(value: string): string {
  if (value.includes("\0")) throw new Error("a NUL byte cannot be passed to bash");
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function checkName(name: string): string {
  if (!NAME.test(name)) throw new Error(`not a bash variable name: ${JSON.stringify(name)}`);
  return name;
}

/** `NAME='value'` */
export function renderAssign(name: string, value: string): string {
  return `${checkName(name)}=${shellQuote(value)}`;
}

/** `NAME=('a' 'b')` (global indexed array) */
export function renderArray(name: string, values: readonly string[]): string {
  return `${checkName(name)}=(${values.map(shellQuote).join(" ")})`;
}

/** `declare -gA NAME=(['k']='v' ...)` (global associative array) */
export function renderAssoc(name: string, entries: Record<string, string>): string {
  const body = Object.entries(entries)
    .map(([k, v]) => `[${shellQuote(k)}]=${shellQuote(v)}`)
    .join(" ");
  return `declare -gA ${checkName(name)}=(${body})`;
}

/** A command line of quoted words. */
export function renderCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}
