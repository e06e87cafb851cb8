import { createServer } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createTimeoutInterceptor } from '@connectum/interceptors';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  protocols: [Healthcheck({ httpEnabled: true })],
  interceptors: [
    createTimeoutInterceptor({ duration: Number(process.env.HANDLER_TIMEOUT_MS ?? 5000) }),
  ],
});

await server.start();
