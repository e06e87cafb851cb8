import { createServer } from '@connectum/core';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: Number(process.env.PORT ?? 5000),
  allowHTTP1: process.env.ALLOW_HTTP1 === 'true',
  shutdown: { autoShutdown: true },
});

await server.start();
