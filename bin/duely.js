#!/usr/bin/env node
'use strict';
const { runCli } = require('../dist/src/cli/main.js');
runCli(process.argv.slice(2)).then((code) => process.exit(code));
