// Which services this process serves: LIBRARY_SERVICES names them; left
// unset, or set to "*", the process serves all of them.
import { parseServicesEnv } from "@connectum/core";

export const KNOWN = ["library.v1.CatalogService", "library.v1.LoanService"] as const;

export interface Roles {
  readonly served: readonly string[];
  readonly enabledServices: readonly string[] | undefined;
}

export function rolesFromEnv(raw: string | undefined = process.env.LIBRARY_SERVICES): Roles {
  const list = parseServicesEnv(raw);
  const everything = list.length === 0 || list.includes("*");
  return {
    served: everything ? KNOWN : list,
    enabledServices: everything ? undefined : list,
  };
}
