// The npm registry this project is developed against serves only the Linux builds of
// buf's per-platform binaries, so `npm install` leaves the others out of
// package-lock.json and `npm ci` then rejects the lockfile. This adds them back as
// optional entries for their own os/cpu, which npm skips everywhere else and a
// registry that has them installs on that platform. Run after `npm install`.
import { readFileSync, writeFileSync } from "node:fs";

const platforms = {
  "darwin-arm64": ["darwin", "arm64"],
  "darwin-x64": ["darwin", "x64"],
  "linux-aarch64": ["linux", "arm64"],
  "linux-armv7": ["linux", "arm"],
  "linux-x64": ["linux", "x64"],
  "win32-arm64": ["win32", "arm64"],
  "win32-x64": ["win32", "x64"],
};

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const buf = lock.packages["node_modules/@bufbuild/buf"];
for (const [suffix, [os, cpu]] of Object.entries(platforms)) {
  const key = `node_modules/@bufbuild/buf-${suffix}`;
  lock.packages[key] ??= {
    version: buf.version,
    cpu: [cpu],
    dev: true,
    license: "Apache-2.0",
    optional: true,
    os: [os],
    engines: { node: ">=12" },
  };
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
