// The server side of the demo: an in-memory user.v1.UserService. The handlers object
// is typed by the generated UserServiceHandlers, so every request parameter is typed
// without an annotation, and a handler answers with a message or its plain-object init.
import { create } from "@bufbuild/protobuf";
import { Code, RpcError } from "protoc-gen-ts-otel-runtime";
import type { UserServiceHandlers } from "./gen/user/v1/user_otel.js";
import type { User, UserUpdateRequest } from "./gen/user/v1/user_pb.js";
import { UserSchema } from "./gen/user/v1/user_pb.js";

export interface NewUser {
  name: string;
  email: string;
}

/** Handlers for UserService over a Map, seeded with `users` (ids start at 1). */
export function createUserStore(users: readonly NewUser[]): UserServiceHandlers {
  const byId = new Map<number, User>();
  const add = ({ name, email }: NewUser): User => {
    const user = create(UserSchema, { userId: byId.size + 1, name, email, createdAt: new Date().toISOString() });
    byId.set(user.userId, user);
    return user;
  };
  users.forEach(add);

  return {
    getUser(request) {
      const user = byId.get(request.userId);
      if (user === undefined) {
        // The client's call rejects with an RpcError carrying this code and message.
        throw new RpcError(Code.NOT_FOUND, `no user with id ${request.userId}`);
      }
      return user;
    },

    createUser(request) {
      return add(request);
    },

    // A server stream is any (async) iterable; an async generator is the natural fit.
    async *listUsers(request) {
      const size = request.pageSize > 0 ? request.pageSize : 10;
      const start = request.pageNumber * size;
      yield* [...byId.values()].slice(start, start + size);
    },

    async batchCreateUsers(requests) {
      const userIds: number[] = [];
      for await (const request of requests) {
        userIds.push(add(request).userId);
      }
      return { createdCount: userIds.length, userIds };
    },

    async *streamUserUpdates(updates) {
      for await (const update of updates) {
        yield { userId: update.userId, ...applyUpdate(byId.get(update.userId), update) };
      }
    },
  };
}

function applyUpdate(user: User | undefined, { userId, field, value }: UserUpdateRequest): { success: boolean; message: string } {
  if (user === undefined) {
    return { success: false, message: `no user with id ${userId}` };
  }
  if (field !== "name" && field !== "email") {
    return { success: false, message: `cannot update field "${field}"` };
  }
  user[field] = value;
  return { success: true, message: `${field} is now "${value}"` };
}
