import { createServer, defineService, parseServicesEnv } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { CatalogService, OrderService } from './gen/acme/orders/v1/orders_pb.js';

const orders = defineService(OrderService, {
  async get(req) { return { id: req.id }; },
  async create() { return { id: '1' }; },
});

const catalog = defineService(CatalogService, { async list() { return { id: '1' }; } });

const server = createServer({
  services: [orders, catalog],
  port: 5000,
  allowHTTP1: false,
  protocols: [Healthcheck()],
  shutdown: { autoShutdown: true },
});
await server.start();

// Signing keys for internal tokens, on a listener of their own.
import { createServer as createHttpServer } from 'node:http';
createHttpServer((req, res) => res.end(jwks())).listen(9101);
