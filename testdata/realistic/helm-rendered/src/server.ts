import { createServer } from "@connectum/core";
import { Healthcheck } from "@connectum/healthcheck";
import { Reflection } from "@connectum/reflection";
import { createDefaultInterceptors } from "@connectum/interceptors";
import { initProvider } from "@connectum/otel";
import { routes } from "./routes";

const env = process.env;

initProvider({ serviceName: env.OTEL_SERVICE_NAME ?? "inventory" });

const healthHttp = ["true", "1", "yes"].includes(env.HTTP_HEALTH_ENABLED ?? "");

export const server = createServer({
  services: [routes],
  port: Number(env.PORT ?? 50051),
  protocols: [Healthcheck({ httpEnabled: healthHttp }), Reflection()],
  interceptors: createDefaultInterceptors({ errorHandler: true }),
  shutdown: {
    autoShutdown: true,
    timeout: Number(env.GRACEFUL_SHUTDOWN_TIMEOUT_MS ?? 10000),
  },
});

await server.start();
