import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: Number(process.env.PORT ?? 8080),
  allowHTTP1: false,
  protocols: [Healthcheck()],
  shutdown: { autoShutdown: true },
});
await server.start();
