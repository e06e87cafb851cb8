import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: Number(process.env.PORT ?? 5000),
  allowHTTP1: process.env.ALLOW_HTTP1 === 'true',
  protocols: [Healthcheck({ httpEnabled: true })],
  shutdown: { autoShutdown: true },
});

await server.start();
