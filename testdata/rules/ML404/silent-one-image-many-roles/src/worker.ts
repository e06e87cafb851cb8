// Outbox relay: reads pending order events and publishes them. It serves no
// RPC; the shop-outbox Deployment runs it from the same image.
import { setTimeout as sleep } from 'node:timers/promises';
import { relayPending } from './services/outbox.js';

const interval = Number(process.env.RELAY_INTERVAL_MS ?? 2000);
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});
while (!stopping) {
  await relayPending();
  await sleep(interval);
}
