import { parseServicesEnv, perServiceEnvResolver } from '@connectum/core';
import { createConnectTransport } from '@connectrpc/connect-node';

export const topology = {
  enabledServices: parseServicesEnv(process.env.SERVICES),
  remoteResolver: perServiceEnvResolver(
    { 'shop.v1.InventoryService': 'INVENTORY_URL' },
    { createTransport: (baseUrl: string) => createConnectTransport({ baseUrl, httpVersion: '1.1' }) },
  ),
};
