import { createServer, type Server } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { chat, rooms } from './services.js';

// SERVICES picks the roles of this process, separated by commas and/or
// blanks; unset, it mounts everything.
const enabled = process.env.SERVICES?.split(/[\s,]+/);

export function buildServer(): Server {
  return createServer({
    services: [rooms, chat],
    port: Number(process.env.PORT ?? 5000),
    enabledServices: enabled,
    protocols: [Healthcheck()],
    shutdown: { autoShutdown: true },
  });
}
