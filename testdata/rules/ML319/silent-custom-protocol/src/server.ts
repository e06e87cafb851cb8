import { createServer, defineService } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { OrderService } from './gen/acme/orders/v1/orders_pb.js';
import { metricsProtocol } from './metrics.js';

const orders = defineService(OrderService, {
  async get(req) { return { id: req.id }; },
  async create() { return { id: '1' }; },
});

const server = createServer({
  services: [orders],
  allowHTTP1: false,
  protocols: [Healthcheck(), metricsProtocol({ path: '/metrics' })],
});
await server.start();
