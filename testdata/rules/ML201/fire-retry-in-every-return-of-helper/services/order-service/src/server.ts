import { createServer } from '@connectum/core';
import { createJwtAuthInterceptor } from '@connectum/auth';
import { Healthcheck } from '@connectum/healthcheck';
import {
  createErrorHandlerInterceptor,
  createRetryInterceptor,
  createTimeoutInterceptor,
} from '@connectum/interceptors';
import { createValidateInterceptor } from '@connectrpc/validate';
import type { Interceptor } from '@connectrpc/connect';
import routes from './routes.js';

function buildAuth(): Interceptor[] {
  const jwksUri = process.env.JWKS_URI;
  if (!jwksUri) return [];
  return [createJwtAuthInterceptor({ jwksUri })];
}

function buildResilience(): Interceptor[] {
  const retry = createRetryInterceptor({ maxRetries: 2 });
  if (process.env.NODE_ENV === 'test') {
    return [retry];
  }
  return [createTimeoutInterceptor({ duration: 10_000 }), retry];
}

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors: [
    createErrorHandlerInterceptor(),
    ...buildAuth(),
    createValidateInterceptor(),
    ...buildResilience(),
  ],
});

await server.start();
