import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { Code } from '@connectrpc/connect';
import { createDefaultInterceptors } from '@connectum/interceptors';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors: createDefaultInterceptors({
    retry: { maxRetries: 2, retryableCodes: [Code.Unavailable] },
  }),
});

await server.start();
