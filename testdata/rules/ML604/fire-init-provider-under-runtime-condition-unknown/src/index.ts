import { createServer } from '@connectum/core';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { initProvider } from '@connectum/otel';
import { loadSettings } from './settings.js';
import routes from './routes.js';

// Telemetry is switched on by a settings file mounted at run time.
const settings = await loadSettings(process.env.SETTINGS_PATH ?? '/etc/orders/settings.json');
if (settings.telemetry?.enabled) {
  initProvider({ serviceName: 'orders' });
}

const server = createServer({
  services: [routes],
  port: 5000,
  interceptors: createDefaultInterceptors(),
  shutdown: { autoShutdown: true },
});

await server.start();
