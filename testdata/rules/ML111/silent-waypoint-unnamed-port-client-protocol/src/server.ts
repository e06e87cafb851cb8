import { createServer } from '@connectum/core';
import { ledgerRoutes } from './services.js';

const server = createServer({
  services: [ledgerRoutes],
  port: 9090,
  allowHTTP1: false,
});
await server.start();
