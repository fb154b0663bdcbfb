// The full help of a command (`plugstack help CMD`, `CMD --help`), rendered
// here rather than by citty so that colour follows plugstack's one decision
// (color.ts) and a command is named by its whole path. Pure.
import type { ArgsDef } from "citty";

export interface HelpInput {
  /** "bundle create"; "" for plugstack itself */
  path: string;
  description: string;
  version: string;
  args: ArgsDef;
  commands: { name: string; description: string }[];
  /** extra sections appended as they are */
  footer?: string;
  color: boolean;
}

function columns(rows: [string, string][], paint: (s: string) => string): string[] {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `  ${paint(a.padEnd(width))}  ${b}`.trimEnd());
}

export function renderHelp(h: HelpInput): string {
  const bold = (s: string) => (h.color ? `\x1b[1m${s}\x1b[22m` : s);
  const cyan = (s: string) => (h.color ? `\x1b[36m${s}\x1b[39m` : s);
  const name = `plugstack${h.path ? ` ${h.path}` : ""}`;
  const usage = [name];
  const positionals: [string, string][] = [];
  const options: [string, string][] = [];
  for (const [key, d] of Object.entries(h.args)) {
    if (d.type === "positional") {
      const label = d.valueHint ?? key.toUpperCase();
      const optional = d.required === false || d.default !== undefined;
      usage.push(optional ? `[${label}]` : `<${label}>`);
      positionals.push([label, d.description ?? ""]);
      continue;
    }
    const aliases = "alias" in d && d.alias ? (Array.isArray(d.alias) ? d.alias : [d.alias]) : [];
    const value = d.type === "string" || d.type === "enum" ? ` ${d.valueHint ?? "VALUE"}` : "";
    const defaultOn = d.type === "boolean" && d.default === true;
    const flag = defaultOn ? `--no-${key}` : [...aliases.map((a) => (a.length === 1 ? `-${a}` : `--${a}`)), `--${key}`].join(", ") + value;
    const dflt = d.type === "string" && d.default !== undefined ? ` (default: ${d.default})` : "";
    const text = defaultOn && "negativeDescription" in d && d.negativeDescription ? d.negativeDescription : (d.description ?? "");
    options.push([flag, `${text}${dflt}`]);
  }
  if (options.length) usage.splice(1, 0, "[OPTIONS]");
  if (h.commands.length) usage.splice(1, 0, "<COMMAND>");
  const out = [`${h.description} (${name} ${h.version})`, "", `${bold("USAGE")}  ${cyan(usage.join(" "))}`];
  if (positionals.length) out.push("", bold("ARGUMENTS"), "", ...columns(positionals, cyan));
  if (options.length) out.push("", bold("OPTIONS"), "", ...columns(options, cyan));
  if (h.commands.length) {
    out.push(
      "",
      bold("COMMANDS"),
      "",
      ...columns(
        h.commands.map((c) => [c.name, c.description]),
        cyan,
      ),
    );
    out.push("", `Use ${cyan(`plugstack help ${h.path ? `${h.path} ` : ""}COMMAND`)} for more about a command.`);
  }
  if (h.footer) out.push(h.footer);
  return `${out.join("\n")}\n`;
}
