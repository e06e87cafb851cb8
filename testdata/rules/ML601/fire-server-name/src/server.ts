import { createServer } from '@connectum/core';
import { initProvider } from '@connectum/otel';
import routes from './routes.js';

initProvider({ serviceName: 'orders-api', serviceVersion: '1.0.0' });

const server = createServer({ services: [routes], port: 5000 });
await server.start();
