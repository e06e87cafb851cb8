import { createServer } from '@connectum/core';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { createOtelInterceptor } from '@connectum/otel';
import routes from './routes.js';

// No initProvider(): the interceptor creates the provider on first use.
const server = createServer({
  services: [routes],
  port: 5000,
  interceptors: [
    createOtelInterceptor({ filter: ({ service }) => !service.includes('grpc.health') }),
    ...createDefaultInterceptors(),
  ],
  shutdown: { autoShutdown: true },
});

await server.start();
