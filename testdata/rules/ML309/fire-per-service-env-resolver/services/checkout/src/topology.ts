import { parseServicesEnv, perServiceEnvResolver } from '@connectum/core';

export const topology = {
  enabledServices: parseServicesEnv(process.env.SERVICES),
  remoteResolver: perServiceEnvResolver({
    'shop.v1.InventoryService': 'INVENTORY_URL',
  }),
};
