import { createServer } from '@connectum/core';
/* meshlint-disable-next-line ML005, ML004 -- port comes from the chart */
const server = createServer({
  port: Number(process.env.PORT ?? 5000), // meshlint-disable-line ML005
  services: [routes],
  // meshlint-disable-next-line
  tls: { keyPath: './k', certPath: './c' },
});
// meshlint-disable-file ML101 -- reason */
