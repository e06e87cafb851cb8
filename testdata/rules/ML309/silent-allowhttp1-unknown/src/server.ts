import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { loadConfig } from './config.js';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  allowHTTP1: loadConfig().allowHTTP1,
  protocols: [Healthcheck()],
});

await server.start();
