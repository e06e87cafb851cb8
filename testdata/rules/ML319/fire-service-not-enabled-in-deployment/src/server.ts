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
  allowHTTP1: false,
  enabledServices: parseServicesEnv(process.env.SERVICES ?? 'acme.orders.v1.OrderService'),
  protocols: [Healthcheck()],
  shutdown: { autoShutdown: true },
});
await server.start();
