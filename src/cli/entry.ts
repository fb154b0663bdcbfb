// The binary's entry point: `plugstack --version` (or -V) and `plugstack
// --help` (or -h) are answered before the CLI and its dependencies load, so
// they start about as fast as an empty program; everything else goes to
// main.ts, loaded on demand. The top-level help is the text the full CLI
// prints, captured when the binary is built (scripts/build.ts); run from
// the sources, main.ts prints it. Output goes through Bun.write: the first
// use of process.stdout costs more than all the rest of such a start.
import { renderVersion } from "../build-info.ts";

declare const PLUGSTACK_TOP_HELP: string | undefined;

/** TEXT on stdout; a reader that went away (`| head`) ends the run quietly, with status 1. */
async function print(text: string): Promise<void> {
  try {
    await Bun.write(Bun.stdout, text);
  } catch (e) {
    if ((e as { code?: string }).code !== "EPIPE") throw e;
    process.exitCode = 1;
  }
}

/** Whether stdout is a terminal: a pipe or a file is not, without loading node:tty for them. */
async function stdoutIsTTY(): Promise<boolean> {
  if (!(await Bun.stdout.stat()).isCharacterDevice()) return false;
  return (await import("node:tty")).isatty(1);
}

const RUN_COMMANDS = new Set(["stack", "unstack", "clean"]);
const NO_RUN_FLAGS = new Set(["-h", "--help", "--dry-run"]);

const argv = process.argv.slice(2);
const only = argv.length === 1 ? argv[0] : undefined;
if (only === "--version" || only === "-V") {
  await print(`${renderVersion()}\n`);
} else if ((only === "--help" || only === "-h") && typeof PLUGSTACK_TOP_HELP === "string") {
  const [plain, colored] = JSON.parse(PLUGSTACK_TOP_HELP) as [string, string];
  const { useColor } = await import("./color.ts");
  await print(useColor({ isTTY: await stdoutIsTTY() }) ? colored : plain);
} else {
  // a run that will source stackrc: its questions to the host are asked
  // while the CLI loads and the run is prepared (stack/host-probe.ts)
  if (RUN_COMMANDS.has(argv[0] ?? "") && !argv.some((a) => NO_RUN_FLAGS.has(a))) (await import("../stack/host-probe.ts")).startEarlyHostProbe();
  await import("./main.ts");
}
