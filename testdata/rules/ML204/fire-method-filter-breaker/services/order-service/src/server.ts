import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import {
  createCircuitBreakerInterceptor,
  createErrorHandlerInterceptor,
  createMethodFilterInterceptor,
  createTimeoutInterceptor,
} from '@connectum/interceptors';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors: [
    createErrorHandlerInterceptor(),
    createMethodFilterInterceptor({
      'shop.v1.OrderService/*': [
        createTimeoutInterceptor({ duration: 5_000 }),
        createCircuitBreakerInterceptor({ threshold: 3 }),
      ],
    }),
  ],
  shutdown: { autoShutdown: true },
});

await server.start();
