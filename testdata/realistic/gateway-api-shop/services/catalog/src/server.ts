// Catalog: read-only product lookups. Cleartext HTTP/2 (h2c) only: the mesh
// (ztunnel) encrypts between pods, and every caller speaks HTTP/2.
import { createServer, defineService } from '@connectum/core';
import { Healthcheck } from '@connectum/healthcheck';
import { createDefaultInterceptors } from '@connectum/interceptors';
import { CatalogService } from './gen/acme/catalog/v1/catalog_pb.js';
import { products } from './store.js';

const catalog = defineService(CatalogService, {
  async getProduct(req) {
    return products.get(req.sku);
  },
  async listProducts(req) {
    return products.page(req.pageSize, req.pageToken);
  },
});

const server = createServer({
  services: [catalog],
  port: 9090,
  allowHTTP1: false,
  protocols: [Healthcheck()],
  interceptors: createDefaultInterceptors({ retry: false, timeout: { duration: 2_000 } }),
  shutdown: { autoShutdown: true, timeout: 10_000 },
});

await server.start();
