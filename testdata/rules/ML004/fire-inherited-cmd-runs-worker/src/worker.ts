// Drains the notification queue; serves no RPC.
import { setTimeout as sleep } from 'node:timers/promises';

let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});
while (!stopping) {
  await sleep(Number(process.env.POLL_MS ?? 500));
}
