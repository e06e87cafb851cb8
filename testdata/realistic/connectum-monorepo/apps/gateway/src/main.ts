import { createServer, type Interceptor } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { Reflection } from '@connectum/reflection';
import { createDefaultInterceptors, createErrorHandlerInterceptor } from '@connectum/interceptors';
import { initProvider, createOtelInterceptor } from '@connectum/otel';
import { createConnectTransport } from '@connectrpc/connect-node';
import { loadConfig } from './config.js';
import { buildAuthInterceptors } from './auth.js';
import { gatewayRoutes } from './routes.js';

export interface GatewayOptions {
  port?: number;
  tracing?: boolean;
}

initProvider({ serviceName: 'gateway', serviceVersion: '0.7.2' });

export function buildServer(options: GatewayOptions = {}) {
  const cfg = loadConfig();
  const port = options.port ?? Number(process.env.PORT ?? 7000);
  const otel = options.tracing === false ? undefined : createOtelInterceptor();
  const ledger = createConnectTransport({ baseUrl: cfg.ledgerUrl, httpVersion: '2' });
  const notifier = createConnectTransport({ baseUrl: cfg.notifierUrl, httpVersion: '2' });
  const interceptors: Interceptor[] = [
    createErrorHandlerInterceptor(),
    ...buildAuthInterceptors(cfg),
    ...(otel ? [otel] : []),
    ...createDefaultInterceptors({ errorHandler: false, timeout: { duration: 8_000 } }),
  ];
  return createServer({
    services: [gatewayRoutes({ ledger, notifier })],
    port,
    host: '0.0.0.0',
    allowHTTP1: false,
    protocols: [Healthcheck({ httpEnabled: true }), Reflection()],
    interceptors,
    shutdown: { autoShutdown: true, timeout: 10_000 },
  });
}

const server = buildServer();
await server.start();
