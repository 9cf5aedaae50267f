#!/usr/bin/env node
/** The `microseg` executable: runs the CLI on the process arguments. */
import { runCli } from "./main.js";

// `microseg … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
