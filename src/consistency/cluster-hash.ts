/** FNV-1a 64-bit hash of a cluster key: stable across runtimes, synchronous, no crypto needed. */
export function clusterHash(key: string): bigint {
  let hash = 0xcbf29ce484222325n;
  const bytes = new TextEncoder().encode(key);
  for (const byte of bytes) {
    hash ^= BigInt(byte);
    hash = BigInt.asUintN(64, hash * 0x100000001b3n);
  }
  return hash;
}
