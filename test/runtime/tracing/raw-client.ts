// A plain grpc-js client for sending a TestService call with hand-made metadata.
import { Client, Metadata, credentials } from "@grpc/grpc-js";

/** Calls TestService/Unary with an empty request and `metadata`; resolves once it succeeded. */
export async function rawUnary(address: string, metadata: Metadata): Promise<void> {
  const client = new Client(address, credentials.createInsecure());
  try {
    await new Promise<void>((resolve, reject) => {
      client.makeUnaryRequest(
        "/tsotel.testing.v1.TestService/Unary",
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        Buffer.alloc(0),
        metadata,
        (err) => (err === null ? resolve() : reject(err)),
      );
    });
  } finally {
    client.close();
  }
}

/** Metadata with each [key, value] pair added in order (repeated keys repeat). */
export function metadataOf(...entries: readonly (readonly [string, string | Buffer])[]): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of entries) {
    metadata.add(key, value);
  }
  return metadata;
}
