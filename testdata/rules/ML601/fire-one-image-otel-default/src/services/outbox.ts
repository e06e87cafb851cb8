export async function relayPending(): Promise<number> {
  return 0;
}
