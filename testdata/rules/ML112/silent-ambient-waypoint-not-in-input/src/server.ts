import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { routes } from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  allowHTTP1: false,
  protocols: [Healthcheck()],
  shutdown: { autoShutdown: true },
});
await server.start();
