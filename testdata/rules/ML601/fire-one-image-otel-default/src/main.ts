// One image, three roles: which services this process mounts comes from
// SERVICES; the Deployments in k8s/ set it per role.
import { initProvider } from '@connectum/otel';
import { buildServer } from './server.js';

initProvider({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'shop-backend' });

const server = buildServer();
await server.start();
