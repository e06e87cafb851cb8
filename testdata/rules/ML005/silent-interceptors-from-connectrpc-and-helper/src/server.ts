import { createServer } from '@connectum/core';
import { createJwtAuthInterceptor } from '@connectum/auth';
import { createErrorHandlerInterceptor, createTimeoutInterceptor } from '@connectum/interceptors';
import { createValidateInterceptor } from '@connectrpc/validate';
import type { Interceptor } from '@connectrpc/connect';
import routes from './routes.js';

function authInterceptors(): Interceptor[] {
  const jwksUri = process.env.JWKS_URI;
  if (!jwksUri) {
    return [];
  }
  return [createJwtAuthInterceptor({ jwksUri })];
}

const server = createServer({
  services: [routes],
  port: 5000,
  interceptors: [
    createErrorHandlerInterceptor(),
    ...authInterceptors(),
    createValidateInterceptor(),
    createTimeoutInterceptor({ duration: 5_000 }),
  ],
  shutdown: { autoShutdown: true },
});

await server.start();
