import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createBulkheadInterceptor } from '@connectum/interceptors';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors: [
    createBulkheadInterceptor({ capacity: Number(process.env.BULKHEAD_CAPACITY), queueSize: 10 }),
  ],
});

await server.start();
