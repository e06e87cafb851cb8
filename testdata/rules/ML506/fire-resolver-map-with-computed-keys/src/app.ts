import { createServer, type Server } from "@connectum/core";
import { Healthcheck } from "@connectum/healthcheck";
import { catalog } from "#services/catalog.ts";
import { loans } from "#services/loans.ts";
import { rolesFromEnv } from "#roles.ts";

export interface AppOptions {
  readonly roles?: ReturnType<typeof rolesFromEnv>;
  readonly port?: number;
}

export function makeApp(opts: AppOptions = {}): Server {
  const roles = opts.roles ?? rolesFromEnv();
  return createServer({
    services: [catalog, loans],
    enabledServices: roles.enabledServices,
    remoteResolver: roles.remoteResolver,
    port: opts.port ?? Number(process.env.PORT ?? 8080),
    host: "0.0.0.0",
    allowHTTP1: false,
    protocols: [Healthcheck()],
    shutdown: { autoShutdown: true },
  });
}
