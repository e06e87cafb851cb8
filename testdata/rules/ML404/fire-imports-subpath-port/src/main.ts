import { createServer } from "@connectum/core";
import { PORT } from "#config.ts";
import { HOST } from "#config/net.ts";
import { DRAIN } from "./config/deep/drain.ts";
createServer({ port: PORT, host: HOST, shutdown: { timeout: DRAIN } });
