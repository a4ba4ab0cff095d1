// Builds the plugin and the runtime (ESM), and the runtime again as CommonJS for
// `require("protoc-gen-ts-otel/runtime")`.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

const tsc = (project) => execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project], { stdio: "inherit" });

tsc("tsconfig.build.json");
tsc("tsconfig.cjs.json");
writeFileSync("dist/cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
