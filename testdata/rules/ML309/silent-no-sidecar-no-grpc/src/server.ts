import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  protocols: [Healthcheck({ httpEnabled: true })],
});

await server.start();
