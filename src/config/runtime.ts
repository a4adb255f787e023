/**
 * How the service's processes are best started: what `npm start`, the Dockerfile and the load benchmark's
 * processes use (docs/operations.md#memory; the Dockerfile repeats it, and src/docs/docs.spec.ts checks it does).
 *
 * - glibc's malloc moves its mmap threshold up to the size of the largest block freed (up to 32 MiB), so after the
 *   first argon2 hash its 19 MiB buffers come from the heap arenas and stay in the resident set for good (about
 *   80 MiB after a burst of four at once). A fixed threshold keeps every such buffer mmap-ed: unmapped as soon as
 *   the hash is done. Two arenas rather than one per thread keep libuv's threads from holding memory each.
 * - A fresh mapping is faulted in page by page: 4,864 faults of 4 KiB for each 19 MiB buffer made every argon2 hash
 *   about 12 ms (40%) slower than with the buffers kept. `glibc.malloc.hugetlb=1` (glibc 2.35+) asks for transparent
 *   huge pages on those mappings (madvise), ten 2 MiB faults instead, which took back nearly all of it where the
 *   kernel allows them (transparent_hugepage `madvise` or `always`); elsewhere it changes nothing.
 * - A small young generation: V8 grows each semi-space up to 16 MiB under a burst of requests and keeps it; 4 MiB
 *   costs a few more scavenges and holds up to 36 MiB less.
 * - A slower-growing old generation: after a full GC V8 lets the heap grow by a factor it picks from how fast it
 *   collected, up to 4×, so under load the API's heap reached 155 MiB around 50 MiB of live objects; 1.25× keeps
 *   it near what is live (83 MiB at the load benchmark's peak) for a few more full GCs. --optimize-for-size held
 *   less still but cost a fifth of the load benchmark's throughput (docs/benchmarks.md).
 */
export const SERVICE_RUNTIME = {
  env: { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' },
  nodeFlags: ['--max-semi-space-size=4', '--heap-growing-percent=25'],
} as const;
