/**
 * A problem with the user's protos. Each line names the proto file, the element and
 * what to do; the plugin reports all of them at once in the response's `error`.
 */
export class PluginError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "PluginError";
  }
}
