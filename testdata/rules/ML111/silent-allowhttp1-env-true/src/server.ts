import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { routes } from './routes.js';

const allowHTTP1 = process.env.ALLOW_HTTP1 === 'true';

const server = createServer({
  services: [routes],
  port: Number(process.env.PORT ?? 5000),
  allowHTTP1,
  protocols: [Healthcheck()],
});
await server.start();
