import type { ConnectRouter } from '@connectrpc/connect';

export default (router: ConnectRouter) => {
  void router;
};
