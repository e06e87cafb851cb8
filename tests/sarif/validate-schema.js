#!/usr/bin/env node
// Validates a JSON document against a draft-04 JSON schema (the OASIS SARIF
// 2.1.0 schema is draft-04) with ajv. Usage: validate-schema.js SCHEMA FILE.
// Prints every violation and exits 1 when there is any, 2 on unreadable input.
'use strict';
const fs = require('fs');
const Ajv = require('ajv-draft-04');
const addFormats = require('ajv-formats');

const [schemaPath, filePath] = process.argv.slice(2);
if (!schemaPath || !filePath) {
  console.error('usage: validate-schema.js SCHEMA FILE');
  process.exit(2);
}

function readJson(p) {
  try {
    return JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (e) {
    console.error(`${p}: not readable JSON: ${e.message}`);
    process.exit(2);
  }
}

const schema = readJson(schemaPath);
const doc = readJson(filePath);
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
if (validate(doc)) {
  console.log(`${filePath}: valid against ${schema.title || schemaPath}`);
  process.exit(0);
}
for (const e of validate.errors) {
  const where = e.instancePath || '/';
  console.error(`${filePath}: schema: ${where}: ${e.message} (${e.schemaPath})`);
}
process.exit(1);
