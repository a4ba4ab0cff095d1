// docs/generated-code.md as a user runs it, in a fresh git repository with the README's
// buf.yaml and buf.gen.yaml: its CI check passes on freshly generated code and fails on
// each kind of stale code it names; its watch script regenerates after a change to a
// proto, and survives a proto that does not compile.
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readmeBlock } from "../support/consumer-project.js";
import { cleanEnv, sh } from "../support/npm-project.js";
import { fencedBlocks } from "../support/markdown.js";
import { repoRoot } from "../support/paths.js";
import { run } from "../support/run.js";
import { useTempDirs } from "../support/temp-dirs.js";

const page = readFileSync(join(repoRoot, "docs/generated-code.md"), "utf8");

function pageBlock(language: string, firstLine: string): string {
  const block = fencedBlocks(page, language).find((b) => b.startsWith(`${firstLine}\n`));
  if (block === undefined) throw new Error(`docs/generated-code.md has no ${language} block starting with "${firstLine}"`);
  return block;
}

const CI_CHECK = pageBlock("sh", "# ci: the committed src/gen is what buf generates");
const WATCH_SCRIPT = pageBlock("js", "// gen-watch.mjs: `buf generate` now, and again whenever a .proto under proto/ changes");

let repo: string;

const git = (...args: string[]): string => sh("git", ["-c", "user.name=ci", "-c", "user.email=ci@example.com", ...args], repo).stdout;

/** The documented check, as CI runs it: its exit status and what it printed. */
function runCheck(): { status: number | null; output: string } {
  const result = run("bash", ["-e", "-c", CI_CHECK], { cwd: repo, env: cleanEnv, timeout: 120_000 });
  return { status: result.status, output: result.stdout + result.stderr };
}

const tempDir = useTempDirs();

beforeAll(() => {
  repo = tempDir("generated-code");
  // buf and both plugins as an `npm install` of the README's would give them.
  symlinkSync(join(repoRoot, "node_modules"), join(repo, "node_modules"), "dir");
  writeFileSync(join(repo, ".gitignore"), "node_modules\n");
  writeFileSync(join(repo, "buf.yaml"), readmeBlock("# buf.yaml"));
  writeFileSync(join(repo, "buf.gen.yaml"), readmeBlock("# buf.gen.yaml"));
  writeFileSync(join(repo, "gen-watch.mjs"), WATCH_SCRIPT);
  for (const proto of ["user/v1/user.proto", "shop/v1/orders.proto"]) {
    mkdirSync(join(repo, "proto", proto, ".."), { recursive: true });
    cpSync(join(repoRoot, "testdata/proto", proto), join(repo, "proto", proto));
  }
  git("init", "-q", "-b", "main");
  sh("npx", ["buf", "generate"], repo);
  git("add", "-A");
  git("commit", "-q", "-m", "protos and their generated code");
  git("tag", "fresh");
}, 120_000);

beforeEach(() => {
  git("reset", "-q", "--hard", "fresh");
  git("clean", "-q", "-fd");
});

describe("the CI check of docs/generated-code.md", () => {
  it("passes on freshly generated code, and leaves it as it was", { timeout: 120_000 }, () => {
    expect(runCheck()).toMatchObject({ status: 0 });
    expect(git("status", "--porcelain", "--", "src/gen")).toBe("");
  });

  it.each([
    [
      "a proto changed and its code was not regenerated",
      () => appendFileSync(join(repo, "proto/user/v1/user.proto"), "\nmessage Nickname {\n  string value = 1;\n}\n"),
      "src/gen/user/v1/user_pb.ts",
    ],
    [
      "a generated file was edited by hand",
      () => appendFileSync(join(repo, "src/gen/user/v1/user_otel.ts"), "// edited\n"),
      "src/gen/user/v1/user_otel.ts",
    ],
    [
      "a new proto's files were not committed",
      () => {
        mkdirSync(join(repo, "proto/ping/v1"), { recursive: true });
        writeFileSync(join(repo, "proto/ping/v1/ping.proto"), 'syntax = "proto3";\npackage ping.v1;\nservice PingService {\n  rpc Ping(PingRequest) returns (PingResponse) {}\n}\nmessage PingRequest {}\nmessage PingResponse {}\n');
      },
      "src/gen/ping/v1/ping_otel.ts",
    ],
    [
      "a removed proto's files were left behind",
      () => rmSync(join(repo, "proto/shop/v1/orders.proto")),
      "src/gen/shop/v1/orders_otel.ts",
    ],
  ])("fails when %s, naming the file", { timeout: 120_000 }, (_, makeStale, staleFile) => {
    makeStale();
    git("add", "-A");
    git("commit", "-q", "-m", "stale");
    const { status, output } = runCheck();
    expect(status).toBe(1);
    expect(output).toContain(`diff --git a/${staleFile} b/${staleFile}`);
  });
});

describe("the watch script of docs/generated-code.md", () => {
  it("generates at once, again after a proto changes, and goes on after a proto that does not compile", async () => {
    rmSync(join(repo, "src/gen"), { recursive: true });
    const watcher = spawn(process.execPath, ["gen-watch.mjs"], { cwd: repo, env: cleanEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    const stderrWaiters = new Set<() => void>();
    watcher.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      stderrWaiters.forEach((wake) => wake());
    });
    /** Resolves once the watcher's stderr (buf's) mentions `text`. */
    const said = (text: string): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (stderr.includes(text)) {
            stderrWaiters.delete(check);
            resolve();
          }
        };
        stderrWaiters.add(check);
        check();
      });
    const lines = createInterface({ input: watcher.stdout })[Symbol.asyncIterator]();
    /** Resolves once the watcher says it generated; fails if it ends first. */
    const generated = async (): Promise<void> => {
      for (;;) {
        const next: IteratorResult<string> = await lines.next();
        if (next.done === true) throw new Error(`gen-watch.mjs ended\n${stderr}`);
        if (next.value.startsWith("generated (")) return;
      }
    };
    try {
      await generated();
      expect(existsSync(join(repo, "src/gen/user/v1/user_otel.ts"))).toBe(true);

      const user = join(repo, "proto/user/v1/user.proto");
      writeFileSync(user, readFileSync(user, "utf8").replace("service UserService {", "service UserService {\n  rpc Ping(GetUserRequest) returns (User) {}"));
      await generated();
      expect(readFileSync(join(repo, "src/gen/user/v1/user_otel.ts"), "utf8")).toContain("ping(request");

      const broken = join(repo, "proto/user/v1/broken.proto");
      writeFileSync(broken, 'syntax = "proto3";\npackage user.v1;\nmessage Broken { NoSuchType field = 1; }\n');
      await said("NoSuchType");
      writeFileSync(broken, 'syntax = "proto3";\npackage user.v1;\nmessage Broken { string field = 1; }\n');
      await generated();
      expect(existsSync(join(repo, "src/gen/user/v1/broken_pb.ts"))).toBe(true);
    } finally {
      watcher.kill();
    }
  }, 120_000);
});
