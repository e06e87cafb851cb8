import { defineService } from '@connectum/core';
import { AuditService } from '@acme/audit-protos';

// mounted from a package whose .proto is not in this repository
export const audit = defineService(AuditService, { async record() { return {}; } });
