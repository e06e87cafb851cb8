import { createServer } from '@connectum/core';
import routes from './routes.js';

const server = createServer({
  services: [routes],
  port: 5000,
  shutdown: { autoShutdown: true },
});

await server.start();
