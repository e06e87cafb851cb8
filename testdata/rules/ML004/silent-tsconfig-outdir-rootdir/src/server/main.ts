import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';

const server = createServer({
  services: [],
  port: 7000,
  protocols: [Healthcheck()],
  shutdown: { autoShutdown: true },
});
await server.start();
