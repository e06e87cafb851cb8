import { createServer } from "@connectum/core";
const server = createServer({ port: 5000, host: `${process.env.HOST}:${
  services: [routes] });
