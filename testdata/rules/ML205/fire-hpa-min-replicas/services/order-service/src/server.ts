import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createBulkheadInterceptor } from '@connectum/interceptors';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors: [
    createBulkheadInterceptor({ capacity: 10, queueSize: 6 }),
  ],
});

await server.start();
