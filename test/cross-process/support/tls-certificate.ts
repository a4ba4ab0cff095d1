// A TLS certificate for the peers on 127.0.0.1, made in the test with the openssl CLI:
// self-signed, so that the client trusts it as its own root.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../support/run.js";

export interface TlsFiles {
  /** Where the temporary files live; remove it when done. */
  readonly dir: string;
  /** The certificate (PEM): the server's, and the client's root. */
  readonly cert: string;
  /** The server's private key (PEM). */
  readonly key: string;
}

/** A one-day P-256 certificate for 127.0.0.1 and localhost. */
export function makeTlsCertificate(): TlsFiles {
  const dir = mkdtempSync(join(tmpdir(), "ts-otel-tls-"));
  const files = { dir, cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
  const made = run("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", files.key, "-out", files.cert, "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ]);
  if (made.status !== 0) {
    throw new Error(`openssl req failed (${String(made.status)}): ${made.stderr}`);
  }
  return files;
}
