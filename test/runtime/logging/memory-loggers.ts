// The pino and winston recipes of docs/logging.md, each writing JSON lines into memory
// instead of stdout, and the correlation fields each line carried.
import { Writable } from "node:stream";
import { pino } from "pino";
import winston from "winston";
import { logFields } from "protoc-gen-ts-otel-runtime";

/** One line a logger wrote: which logger, its message, and every field besides the logger's own. */
export interface LoggedLine {
  readonly logger: "pino" | "winston";
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

export interface MemoryLoggers {
  /** Writes `message` through both loggers at info level. */
  info(message: string): void;
  /** The lines written so far, pino's and winston's, in the order they were written. */
  lines(): LoggedLine[];
}

/** What pino and winston put on every line themselves. */
const PINO_OWN = new Set(["level", "time", "pid", "hostname", "msg"]);
const WINSTON_OWN = new Set(["level", "message"]);

export function memoryLoggers(): MemoryLoggers {
  const written: LoggedLine[] = [];
  const parse = (logger: LoggedLine["logger"], own: ReadonlySet<string>, line: string): void => {
    const record = JSON.parse(line) as Record<string, unknown>;
    const message = record[logger === "pino" ? "msg" : "message"];
    const fields = Object.fromEntries(Object.entries(record).filter(([key]) => !own.has(key)));
    written.push({ logger, message: String(message), fields });
  };

  // docs/logging.md, pino: the mixin, with a destination other than stdout.
  const pinoLogger = pino(
    { mixin: () => logFields() },
    {
      write(line: string) {
        parse("pino", PINO_OWN, line);
      },
    },
  );

  // docs/logging.md, winston: the format, with a transport other than the console.
  const correlation = winston.format((info) => Object.assign(info, logFields()));
  const winstonLogger = winston.createLogger({
    format: winston.format.combine(correlation(), winston.format.json()),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk: Buffer, _encoding, done) {
            parse("winston", WINSTON_OWN, chunk.toString("utf8"));
            done();
          },
        }),
      }),
    ],
  });

  return {
    info(message) {
      pinoLogger.info(message);
      winstonLogger.info(message);
    },
    lines: () => [...written],
  };
}
