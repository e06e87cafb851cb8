#!/usr/bin/env node
// Reads the SARIF log that `Sarif.Multitool validate -o LOG` wrote and fails
// when it reports any error or warning (a result without a level is a
// warning, as SARIF defines), or when the tool itself did not run cleanly.
// Notes are printed as a count only. Usage: check-multitool-log.js LOG.
'use strict';
const fs = require('fs');

const logPath = process.argv[2];
let log;
try {
  log = JSON.parse(fs.readFileSync(logPath, 'utf8'));
} catch (e) {
  console.error(`multitool log ${logPath}: not readable JSON: ${e.message}`);
  process.exit(2);
}

let bad = 0;
let notes = 0;
for (const run of log.runs || []) {
  for (const inv of run.invocations || []) {
    if (inv.executionSuccessful === false) {
      console.error('multitool: execution was not successful');
      bad++;
    }
    for (const n of inv.toolExecutionNotifications || []) {
      const level = n.level || 'warning';
      if (level === 'error' || level === 'warning') {
        console.error(`multitool: ${level}: ${(n.message && n.message.text) || JSON.stringify(n)}`);
        bad++;
      }
    }
  }
  for (const r of run.results || []) {
    const level = r.level || 'warning';
    if (level === 'error' || level === 'warning') {
      const text = (r.message && r.message.text) || (r.message && r.message.id) || '';
      const loc = r.locations && r.locations[0] && r.locations[0].physicalLocation;
      const line = loc && loc.region && loc.region.startLine ? `:${loc.region.startLine}` : '';
      console.error(`multitool: ${level} ${r.ruleId}${line}: ${text}`);
      bad++;
    } else {
      notes++;
    }
  }
}
if (bad > 0) {
  console.error(`multitool: ${bad} error(s)/warning(s)`);
  process.exit(1);
}
console.log(`multitool: no errors or warnings (${notes} note(s))`);
