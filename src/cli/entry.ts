// The binary's entry point: `plugstack --version` (or -V) is answered before
// the CLI and its dependencies load, so it starts about as fast as an empty
// program; everything else goes to main.ts, loaded on demand.
import { renderVersion } from "../build-info.ts";

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  process.stdout.write(`${renderVersion()}\n`);
} else {
  await import("./main.ts");
}
