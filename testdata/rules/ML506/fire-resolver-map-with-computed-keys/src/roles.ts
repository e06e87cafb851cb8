// Which services this process serves: LIBRARY_SERVICES names them; left
// unset, or set to "*", the process serves all of them. The others are
// reached at the address their *_URL variable holds.
import { parseServicesEnv, perServiceEnvResolver } from "@connectum/core";

export const TYPES = {
  catalog: "library.v1.CatalogService",
  loans: "library.v1.LoanService",
} as const;

const KNOWN: readonly string[] = [TYPES.catalog, TYPES.loans];

const ADDRESS_VARS: Readonly<Record<string, string>> = {
  [TYPES.catalog]: "CATALOG_URL",
  [TYPES.loans]: "LOANS_URL",
};

export function rolesFromEnv(raw: string | undefined = process.env.LIBRARY_SERVICES) {
  const list = parseServicesEnv(raw);
  const everything = list.length === 0 || list.includes("*");
  return {
    served: everything ? KNOWN : list,
    enabledServices: everything ? undefined : list,
    remoteResolver: perServiceEnvResolver(ADDRESS_VARS),
  };
}
