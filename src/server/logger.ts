import { pino } from "pino";

export type Logger = pino.Logger;

/** JSON logs on stdout. Credentials never reach them: headers and fields that could carry one are redacted. */
export function createLogger(options: { level: string }): Logger {
  return pino({
    level: options.level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'res.headers["set-cookie"]',
        "*.password",
        "*.token",
        "*.secret",
      ],
      censor: "[redacted]",
    },
  });
}
