import type { ConnectRouter } from '@connectrpc/connect';

export function inventoryRoutes(router: ConnectRouter): void {
  // generated service descriptors are registered here
  void router;
}
