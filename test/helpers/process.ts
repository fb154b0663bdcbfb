// Waiting for a test's child process and reading what it printed.

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Exit status and both outputs, as text, of a process spawned with stdout and stderr piped. */
export async function collectOutput(proc: { stdout: ReadableStream; stderr: ReadableStream; exited: Promise<number> }): Promise<ProcessResult> {
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}
