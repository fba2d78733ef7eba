#!/usr/bin/env node
// Checked before anything loads: on an older Node the bundle would start and then fail at the first
// newer API it calls (Map.groupBy, …) in the middle of a request.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 15)) {
  process.stderr.write(
    `berth: needs Node.js 22.15 or later; this is ${process.version}. ` +
      'Run it as "npm start" or "npx berth …", which use the project\'s own Node 24.\n',
  );
  process.exit(1);
}
await import('../dist/main.js');
