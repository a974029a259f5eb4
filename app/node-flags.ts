/**
 * The flags the server's Node process starts with. V8 sizes its heap when the process starts, so they
 * cannot be set from inside: `npm start` (package.json), the Docker image (Dockerfile), the bench and the
 * tests' server processes (test/support/server-process.ts) pass them on node's command line, and
 * `test/node-flags.test.ts` checks that package.json and the Dockerfile agree with this list.
 *
 * `--max-semi-space-size=16`: the young generation, where new objects are made, may grow to 2 × 16 MB.
 * Without it Node 24 lets it grow to 2 × 64 MB on a machine with this much memory, and a server that
 * answers requests fills it: 50–80 MB more resident memory for no measured gain in throughput or CPU per
 * request (`npm run bench`, 2026-12-01; README, "Performance").
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=16'] as const;
