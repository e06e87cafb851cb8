import { createServer } from '@connectum/core';
import { initProvider } from '@connectum/otel';
import routes from './routes.js';

function serviceName(): string {
  return process.env.OTEL_SERVICE_NAME ?? 'orders-api';
}

initProvider({ serviceName: serviceName(), serviceVersion: '1.0.0' });

const server = createServer({ services: [routes], port: 5000 });
await server.start();
