import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createRetryInterceptor } from '@connectum/interceptors';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors: [
    createRetryInterceptor({ maxRetries: Number(process.env.RETRY_MAX_RETRIES ?? 1) }),
  ],
});

await server.start();
