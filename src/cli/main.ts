import { failure, runCli } from "./run.js";

process.on("uncaughtException", (e) => process.exit(failure(e)));
runCli(process.argv.slice(2)).then((code) => process.exit(code));
