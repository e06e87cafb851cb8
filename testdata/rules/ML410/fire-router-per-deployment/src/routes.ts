import type { ConnectRouter } from '@connectrpc/connect';
import * as pb from './gen/feed_pb.js';
import { handlers } from './handlers.js';

export default (router: ConnectRouter) => {
  router.service(pb.FeedService, handlers);
};
