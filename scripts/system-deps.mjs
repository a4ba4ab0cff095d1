// Installs the Debian packages the end-to-end tests run for real, when missing:
// prometheus (a Prometheus server and promtool), python3-grpcio (a Python gRPC peer, with
// python3-protobuf, for Debian's /usr/bin/python3), python3-prometheus-client (what
// py-grpc-prometheus renders its metrics with), openssl (the CLI that makes the TLS
// tests' certificate) and valgrind (callgrind, which `npm run bench:instructions` and its
// smoke test count instructions with). Run by `npm test`; needs apt-get and root, as on the project's
// machines and CI.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const missing = [];
if (!existsSync("/usr/bin/prometheus") || !existsSync("/usr/bin/promtool")) {
  missing.push("prometheus");
}
if (spawnSync("/usr/bin/python3", ["-c", "import grpc"], { stdio: "ignore" }).status !== 0) {
  missing.push("python3-grpcio");
}
if (spawnSync("/usr/bin/python3", ["-c", "import prometheus_client"], { stdio: "ignore" }).status !== 0) {
  missing.push("python3-prometheus-client");
}
if (spawnSync("openssl", ["version"], { stdio: "ignore" }).status !== 0) {
  missing.push("openssl");
}
if (spawnSync("valgrind", ["--version"], { stdio: "ignore" }).status !== 0) {
  missing.push("valgrind");
}
if (missing.length > 0) {
  console.log(`system-deps: installing ${missing.join(", ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  try {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { stdio: "inherit", env });
  } catch {
    console.error(`system-deps: could not install ${missing.join(", ")}; run as root on Debian, or install them yourself`);
    process.exit(1);
  }
}
