import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  allowHTTP1: process.env.ALLOW_HTTP1 !== 'false',
  protocols: [Healthcheck()],
});

await server.start();
