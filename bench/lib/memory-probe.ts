/**
 * Preloaded (`--import`) into a server under the SSE memory bench, the product and the bare baseline
 * alike: on the IPC message `memory` it collects garbage (the server runs with --expose-gc) and answers
 * `process.memoryUsage()`, so that what is compared is live memory, not when each heap last shrank.
 * The IPC channel is unref'd: it never keeps the server alive.
 */
const gc = (globalThis as { gc?: () => void }).gc;

process.on('message', (message) => {
  if (message !== 'memory') return;
  gc?.();
  gc?.();
  process.send?.({ memory: process.memoryUsage() });
});
// After the listener: adding a 'message' listener refs the channel.
process.channel?.unref();
