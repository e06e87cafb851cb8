import { createServer } from "@connectum/core";
import { Healthcheck } from "@connectum/healthcheck";
import { ledger } from "./ledger.ts";

// HTTP/1.1 (Connect over plain HTTP) for the edge role, h2c for the others.
// The package is named after the ledger Deployment; ledger-edge runs the
// same image, so it runs this server too.
const http1 = process.env.LEDGER_HTTP1 === "true" || process.env.LEDGER_HTTP1 === "1";

await createServer({
  services: [ledger],
  port: 7000,
  allowHTTP1: http1,
  protocols: [Healthcheck()],
  shutdown: { autoShutdown: true },
}).start();
