import { defineService } from "@connectum/core";
export const ledger = defineService({ typeName: "money.v1.Ledger" } as never, {});
