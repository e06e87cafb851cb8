import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createCircuitBreakerInterceptor } from '@connectum/interceptors';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors: [
    createCircuitBreakerInterceptor({ threshold: 10, halfOpenAfter: 15_000 }),
  ],
});

await server.start();
