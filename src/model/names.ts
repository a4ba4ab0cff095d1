import { safeIdentifier } from "@bufbuild/protoplugin";

/**
 * Hands out the identifiers of one scope (a file's top level, or the members shared
 * by a service's table, handler interface and client class). Every name the
 * generator prints comes from here: a candidate that is reserved in the scope, or
 * already taken, gets `$` appended until it is free, a character proto names
 * cannot contain.
 */
export class NameScope {
  private readonly taken = new Set<string>();

  constructor(private readonly reserved: (name: string) => boolean) {}

  claim(candidate: string): string {
    let name = candidate;
    while (this.reserved(name) || this.taken.has(name)) {
      name += "$";
    }
    this.taken.add(name);
    return name;
  }
}

/** A scope for top-level declarations: no reserved words, nothing the module relies on. */
export function topLevelScope(): NameScope {
  return new NameScope((name) => safeIdentifier(name) !== name);
}

// Members that would break an object or a class: Object.prototype's (a handler
// named `toString` must not be found on every object), `then` (a client with it is
// a thenable that `await` swallows), and the client's own `close`.
const reservedMembers = new Set([...Object.getOwnPropertyNames(Object.prototype), "then", "close"]);

/** A scope for method members of one service. */
export function memberScope(): NameScope {
  return new NameScope((name) => reservedMembers.has(name));
}

/** `GetUser` → `getUser`, the way protobuf-es names methods. */
export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
