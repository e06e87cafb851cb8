import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { rooms } from './services.js';

const server = createServer({
  services: [rooms],
  port: 5000,
  protocols: [Healthcheck()],
  shutdown: { autoShutdown: true },
});

await server.start();
