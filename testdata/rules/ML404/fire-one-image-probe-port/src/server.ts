import { createServer, type Server } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { inventoryRoutes } from './services/inventory.js';
import { ordersRoutes } from './services/orders.js';
import { paymentsRoutes } from './services/payments.js';

export interface BuildServerOptions {
  port?: number;
}

const ALL = { orders: ordersRoutes, payments: paymentsRoutes, inventory: inventoryRoutes };

function enabledRoutes(list: string | undefined) {
  const names = (list ?? 'orders,payments,inventory').split(',').map((s) => s.trim());
  return names.filter((n): n is keyof typeof ALL => n in ALL).map((n) => ALL[n]);
}

export function buildServer(options: BuildServerOptions = {}): Server {
  const port = options.port ?? Number(process.env.PORT ?? 5000);
  return createServer({
    services: enabledRoutes(process.env.SERVICES),
    port,
    // h2c only: the sidecar forwards gRPC as HTTP/2 and the probes are gRPC
    allowHTTP1: false,
    protocols: [Healthcheck()],
    interceptors: createDefaultInterceptors({ retry: false }),
    shutdown: { autoShutdown: true, timeout: 20_000 },
  });
}
