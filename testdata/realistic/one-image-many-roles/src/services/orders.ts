import type { ConnectRouter } from '@connectrpc/connect';

export function ordersRoutes(router: ConnectRouter): void {
  // generated service descriptors are registered here
  void router;
}
