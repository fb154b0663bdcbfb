// Tests that download real packages from the distro's archive (the only
// traffic allowed off this machine) run only when asked: .ci/run sets
// PLUGSTACK_TEST_NETWORK=1; without it they skip and say why.

/** "" when network tests are switched on, else why `what` is skipped. */
export function networkSkipReason(what: string): string {
  if (process.env.PLUGSTACK_TEST_NETWORK === "1") return "";
  return `${what} downloads packages from the distro's archive over the network; set PLUGSTACK_TEST_NETWORK=1 to run it (.ci/run does)`;
}
