#!/usr/bin/env node
// The `anneal` command. Committed (not built) so npm can link it at install time; it runs the built CLI.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
