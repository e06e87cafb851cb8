import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';

const server = createServer({
  services: [],
  port: 5000,
  allowHTTP1: false,
  protocols: [Healthcheck()],
  shutdown: { autoShutdown: true },
});
await server.start();
