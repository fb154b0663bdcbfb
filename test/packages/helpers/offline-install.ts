// Runs installPackages in offline mode (meant to run inside `unshare -n`): argv = cacheDir package...
import { createLog } from "../../../src/log.ts";
import { installPackages } from "../../../src/packages/install.ts";

const [cacheDir, ...names] = process.argv.slice(2);
const log = createLog({ verbose: true, color: false });
try {
  const r = await installPackages({ cwd: cacheDir!, env: { ...process.env }, log, cacheDir: cacheDir!, offline: true }, names);
  process.stdout.write(`${JSON.stringify(r.names)}\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n${(e as { hint?: string }).hint ?? ""}\n`);
  process.exitCode = 1;
}
