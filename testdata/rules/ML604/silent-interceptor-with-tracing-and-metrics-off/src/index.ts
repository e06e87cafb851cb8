import { createServer } from '@connectum/core';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { createOtelInterceptor } from '@connectum/otel';
import routes from './routes.js';

// Instrumentation is kept in the list but switched off entirely: the
// interceptor passes every call through and never creates the provider.
const server = createServer({
  services: [routes],
  port: 5000,
  interceptors: [
    createOtelInterceptor({ withoutTracing: true, withoutMetrics: true }),
    ...createDefaultInterceptors(),
  ],
  shutdown: { autoShutdown: true },
});

await server.start();
