#!/usr/bin/env node
/** The `microseg` executable: runs the CLI on the process arguments. */
import { runCli } from "./main.js";

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
