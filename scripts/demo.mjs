// `npm run demo` (after `npm run build`): generates demo/gen from the user.v1 test proto
// with the real `buf generate`, type-checks demo/, then runs demo/main.ts: the five
// calls, a summary of the Prometheus series and OpenTelemetry histograms they produced,
// their traces, and exit.
//
// `npm run demo -- --serve [--grpc-port N] [--metrics-port N]` generates, then runs
// demo/serve.ts: the demo server alone, with its /metrics endpoint, until SIGTERM or
// SIGINT. Its stdout is one JSON line with both addresses (the steps report on stderr),
// so scripts and tests can read it; it skips the type-check, which is for reading.
//
// buf generates into a temporary directory; only files that differ are then written
// into demo/gen (each by a rename), so a demo that is already running, or tests that
// start several demos at once, never see demo/gen emptied or half written.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const serve = args.includes("--serve");
const programArgs = args.filter((arg) => arg !== "--serve");
const report = serve ? console.error : console.log;

const generated = mkdtempSync(join(tmpdir(), "demo-gen-"));
process.on("exit", () => rmSync(generated, { recursive: true, force: true }));
const generate = {
  title: "generate demo/gen (buf generate with protoc-gen-es and protoc-gen-ts-otel)",
  args: ["node_modules/@bufbuild/buf/bin/buf", "generate", "--template", "demo/buf.gen.yaml", "--path", "testdata/proto/user/v1/user.proto", "--output", generated],
  after: () => updateDirectory(join(generated, "demo", "gen"), join(root, "demo", "gen")),
};
const typeCheck = {
  title: "type-check demo/ (tsc -p demo/tsconfig.json)",
  args: ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "demo/tsconfig.json"],
};
// demo/tsconfig.json resolves the runtime to the built package, as a user gets it.
const tsx = { env: { TSX_TSCONFIG_PATH: "demo/tsconfig.json" } };
const run = serve
  ? { title: "run demo/serve.ts (until SIGTERM)", args: ["--import", "tsx", "demo/serve.ts", ...programArgs], ...tsx }
  : { title: "run demo/main.ts", args: ["--import", "tsx", "demo/main.ts", ...programArgs], ...tsx, timeoutMs: 60_000 };
const steps = serve ? [generate, run] : [generate, typeCheck, run];

if (!existsSync(new URL("../packages/protoc-gen-ts-otel/dist/protoc-gen-ts-otel.js", import.meta.url))) {
  fail("the packages are not built: run `npm run build` first (`npm run demo` does)");
}

for (const [index, step] of steps.entries()) {
  report(`\n[demo ${index + 1}/${steps.length}] ${step.title}`);
  if (serve && step === run) {
    runUntilSignalled(step);
  } else {
    runToEnd(step);
  }
}

function runToEnd(step) {
  const result = spawnSync(process.execPath, step.args, {
    cwd: root,
    // In serve mode stdout is kept for the address line.
    stdio: ["inherit", serve ? process.stderr : "inherit", "inherit"],
    env: { ...process.env, ...step.env },
    timeout: step.timeoutMs,
  });
  if (result.error) {
    fail(`${step.title}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    fail(`${step.title}: exited with ${result.status ?? result.signal}`);
  }
  step.after?.();
}

// Makes `target` hold exactly the files of `source`, writing only those that differ.
function updateDirectory(source, target) {
  const files = (dir) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
  const wanted = new Set(files(source));
  for (const file of wanted) {
    const content = readFileSync(join(source, file));
    const path = join(target, file);
    if (!existsSync(path) || !readFileSync(path).equals(content)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.${process.pid}.tmp`, content);
      renameSync(`${path}.${process.pid}.tmp`, path);
    }
  }
  for (const file of existsSync(target) ? files(target) : []) {
    if (!wanted.has(file)) {
      rmSync(join(target, file), { force: true });
    }
  }
}

// The server runs as a child; the signals that stop this script stop it, and this
// script exits as it did.
function runUntilSignalled(step) {
  const child = spawn(process.execPath, step.args, { cwd: root, stdio: "inherit", env: { ...process.env, ...step.env } });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("error", (error) => fail(`${step.title}: ${error.message}`));
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}

function fail(message) {
  console.error(`demo failed: ${message}`);
  process.exit(1);
}
