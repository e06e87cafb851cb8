import type { ConnectRouter } from '@connectrpc/connect';

export function paymentsRoutes(router: ConnectRouter): void {
  // generated service descriptors are registered here
  void router;
}
