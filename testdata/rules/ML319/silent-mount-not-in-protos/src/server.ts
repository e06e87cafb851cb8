import { createServer, defineService } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { OrderService } from './gen/acme/orders/v1/orders_pb.js';
import { RefundService } from '@acme/refunds-proto';

const orders = defineService(OrderService, {
  async get(req) { return { id: req.id }; },
  async create() { return { id: '1' }; },
});
const refunds = defineService(RefundService, {
  async refund() { return {}; },
});

const server = createServer({
  services: [orders, refunds],
  allowHTTP1: false,
  protocols: [Healthcheck()],
});
await server.start();
