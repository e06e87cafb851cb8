export interface GatewayConfig {
  ledgerUrl: string;
  notifierUrl: string;
  authIssuer: string;
}

export function loadConfig(): GatewayConfig {
  return {
    ledgerUrl: process.env.LEDGER_URL ?? 'http://ledger.fintech.svc.cluster.local:7000',
    notifierUrl: process.env.NOTIFIER_URL ?? 'http://notifier.fintech.svc.cluster.local:7000',
    authIssuer: process.env.AUTH_ISSUER ?? 'https://auth.example.com',
  };
}
