import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5443,
  tls: { dirPath: '/etc/tls' },
  protocols: [Healthcheck()],
});

await server.start();
