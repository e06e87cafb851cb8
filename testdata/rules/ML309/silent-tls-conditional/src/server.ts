import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  ...(process.env.TLS_DIR_PATH ? { tls: { dirPath: process.env.TLS_DIR_PATH } } : {}),
  protocols: [Healthcheck()],
});

await server.start();
