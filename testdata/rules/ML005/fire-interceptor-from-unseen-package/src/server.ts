import { createServer } from '@connectum/core';
import { createErrorHandlerInterceptor, createTimeoutInterceptor } from '@connectum/interceptors';
import { platformInterceptors } from '@acme/platform';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  interceptors: [
    createErrorHandlerInterceptor(),
    ...platformInterceptors({ service: 'payments' }),
    createTimeoutInterceptor({ duration: 5_000 }),
  ],
  shutdown: { autoShutdown: true },
});

await server.start();
