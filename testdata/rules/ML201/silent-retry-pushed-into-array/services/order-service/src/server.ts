import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createErrorHandlerInterceptor, createRetryInterceptor } from '@connectum/interceptors';
import type { Interceptor } from '@connectrpc/connect';
import routes from './routes.js';

const interceptors: Interceptor[] = [createErrorHandlerInterceptor()];
if (process.env.APP_RETRIES === 'on') {
  interceptors.push(createRetryInterceptor({ maxRetries: 2 }));
}

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors,
});

await server.start();
