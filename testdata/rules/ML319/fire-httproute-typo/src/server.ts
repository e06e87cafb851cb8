import { createServer, defineService } from '@connectum/core';
import { Healthcheck, healthcheckManager, ServingStatus } from '@connectum/healthcheck';
import { Reflection } from '@connectum/reflection';
import { OrderService } from './gen/acme/orders/v1/orders_pb.js';

const orders = defineService(OrderService, {
  async get(req) { return { id: req.id }; },
  async create() { return { id: '1' }; },
});

const server = createServer({
  services: [orders],
  allowHTTP1: false,
  protocols: [Healthcheck(), Reflection()],
  shutdown: { autoShutdown: true },
});
server.on('ready', () => healthcheckManager.update(ServingStatus.SERVING));
await server.start();
