// Builds the plugin (ESM, dist/esm) and the runtime (CommonJS, dist/cjs). The runtime
// is CommonJS only, like grpc-js: ESM code imports it through Node's CommonJS interop,
// so there is one copy of it in a process whichever way it is loaded, and it can load
// the optional prom-client synchronously with its own `require`.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

const tsc = (project) => execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project], { stdio: "inherit" });

tsc("tsconfig.build.json");
tsc("tsconfig.cjs.json");
writeFileSync("dist/cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
