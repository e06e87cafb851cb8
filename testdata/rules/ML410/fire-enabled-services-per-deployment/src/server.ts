import { createServer, parseServicesEnv } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { chat, rooms } from './services.js';

const server = createServer({
  services: [rooms, chat],
  port: 5000,
  enabledServices: parseServicesEnv(process.env.SERVICES),
  protocols: [Healthcheck()],
  shutdown: { autoShutdown: true },
});

await server.start();
