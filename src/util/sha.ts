// Git object names: the one check of "a whole commit SHA" and of "an
// abbreviated one" that refs, locks, bundles and checkouts use. Git prints
// them in lowercase: 40 hex digits in SHA-1 repositories, 64 in SHA-256 ones.
// Leaf module: imports nothing.

const FULL = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ABBREVIATED = /^[0-9a-f]{7,64}$/;

/** A whole object name as git prints it. */
export function isFullSha(value: string): boolean {
  return FULL.test(value);
}

/** Something that may name an object by a prefix of its SHA (7 to 64 lowercase hex digits). */
export function looksLikeSha(value: string): boolean {
  return ABBREVIATED.test(value);
}
