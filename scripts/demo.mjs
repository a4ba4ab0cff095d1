// `npm run demo` (after `npm run build`): generates demo/gen from the user.v1 test proto
// with the real `buf generate`, type-checks demo/, then runs demo/main.ts.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const steps = [
  {
    title: "generate demo/gen (buf generate with protoc-gen-es and protoc-gen-ts-otel)",
    args: [
      "node_modules/@bufbuild/buf/bin/buf",
      "generate",
      "--template",
      "demo/buf.gen.yaml",
      "--path",
      "testdata/proto/user/v1/user.proto",
    ],
  },
  {
    title: "type-check demo/ (tsc -p demo/tsconfig.json)",
    args: ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "demo/tsconfig.json"],
  },
  {
    title: "run demo/main.ts",
    args: ["--import", "tsx", "demo/main.ts"],
    // demo/tsconfig.json resolves the runtime to the built package, as a user gets it.
    env: { TSX_TSCONFIG_PATH: "demo/tsconfig.json" },
    timeoutMs: 60_000,
  },
];

if (!existsSync(new URL("../dist/esm/src/cli.js", import.meta.url))) {
  fail("dist/ is missing: run `npm run build` first (`npm run demo` does)");
}

for (const [index, step] of steps.entries()) {
  console.log(`\n[demo ${index + 1}/${steps.length}] ${step.title}`);
  const result = spawnSync(process.execPath, step.args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...step.env },
    timeout: step.timeoutMs,
  });
  if (result.error) {
    fail(`${step.title}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    fail(`${step.title}: exited with ${result.status ?? result.signal}`);
  }
}

function fail(message) {
  console.error(`demo failed: ${message}`);
  process.exit(1);
}
