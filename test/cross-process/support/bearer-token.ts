import { CallCredentials, Metadata } from "@grpc/grpc-js";

/** Call credentials that ask `getToken` on every call and send `authorization: Bearer <token>`. */
export function bearerToken(getToken: () => string | Promise<string>): CallCredentials {
  return CallCredentials.createFromMetadataGenerator((_options, callback) => {
    Promise.resolve()
      .then(getToken)
      .then(
        (token) => {
          const metadata = new Metadata();
          metadata.set("authorization", `Bearer ${token}`);
          callback(null, metadata);
        },
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
  });
}
