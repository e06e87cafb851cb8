// Orders: places orders; looks products up in the catalog over gRPC. The
// mesh does not retry (the GAMMA route says attempts: 0); Connectum retries
// Unavailable with backoff, and PlaceOrder is idempotent by its key.
import { createServer, defineService } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { OrderService } from './gen/acme/orders/v1/orders_pb.js';
import { placeOrder, getOrder } from './orders.js';

const catalogTransport = createGrpcTransport({
  baseUrl: 'http://catalog.shop.svc.cluster.local:9090',
});

const orders = defineService(OrderService, {
  async placeOrder(req) {
    return placeOrder(catalogTransport, req);
  },
  async getOrder(req) {
    return getOrder(req.id);
  },
});

const server = createServer({
  services: [orders],
  port: 9090,
  allowHTTP1: false,
  protocols: [Healthcheck()],
  interceptors: createDefaultInterceptors({
    retry: { maxRetries: 2, initialDelay: 200 },
    timeout: { duration: 5_000 },
  }),
  shutdown: { autoShutdown: true, timeout: 15_000 },
});

await server.start();
