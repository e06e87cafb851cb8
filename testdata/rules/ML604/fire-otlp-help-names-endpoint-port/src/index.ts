import { createServer } from '@connectum/core';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { createOtelInterceptor, initProvider } from '@connectum/otel';
import routes from './routes.js';

initProvider();

const server = createServer({
  services: [routes],
  port: 5000,
  interceptors: [createOtelInterceptor(), ...createDefaultInterceptors()],
  shutdown: { autoShutdown: true },
});

await server.start();
