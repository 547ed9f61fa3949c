import { reader, readNumber, type Values } from "./variables.js";

// OpenTelemetry tracing: off unless an OTLP endpoint is set.

export interface TracingConfig {
  /** OTLP/HTTP traces endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces). */
  endpoint: string;
  serviceName: string;
}

export const tracingVariables = {
  ...reader.httpUrl("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces"),
  ...reader.httpUrl("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
  ...reader.boolean("OTEL_SDK_DISABLED", false),
  ...reader.oneOf("OTEL_TRACES_EXPORTER", "otlp", ["otlp", "none"] as const),
  ...reader.text("OTEL_SERVICE_NAME", "trovella-gateway"),
  // Read by the OpenTelemetry SDK itself; checked here so a typo fails the start instead of a silent default.
  ...reader.oneOf("OTEL_TRACES_SAMPLER", "parentbased_always_on", [
    "always_on",
    "always_off",
    "traceidratio",
    "parentbased_always_on",
    "parentbased_always_off",
    "parentbased_traceidratio",
  ] as const),
  // The ratio of the …traceidratio samplers; checked only for them (tracingRules).
  ...reader.optionalText("OTEL_TRACES_SAMPLER_ARG"),
};

type TracingValues = Values<typeof tracingVariables>;

export function tracingRules(v: TracingValues): string[] {
  const problems: string[] = [];
  if (v.OTEL_TRACES_SAMPLER.endsWith("traceidratio")) {
    readNumber("OTEL_TRACES_SAMPLER_ARG", v.OTEL_TRACES_SAMPLER_ARG, (p) => problems.push(p), 1, 0, 1);
  }
  return problems;
}

export function tracingFrom(v: TracingValues): TracingConfig | undefined {
  const base = v.OTEL_EXPORTER_OTLP_ENDPOINT;
  const endpoint = v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined);
  if (!endpoint || v.OTEL_SDK_DISABLED || v.OTEL_TRACES_EXPORTER === "none") return undefined;
  return { endpoint, serviceName: v.OTEL_SERVICE_NAME };
}
