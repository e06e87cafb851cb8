// Seeds a development database; never deployed.
import { readFile } from 'node:fs/promises';

const rows = JSON.parse(await readFile(process.argv[2] ?? 'seed.json', 'utf8'));
console.log(`would insert ${rows.length} rows`);
