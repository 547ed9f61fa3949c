import type { SpanExporter } from "@opentelemetry/sdk-trace-node";
import type { TracingConfig } from "../config/index.js";
import type { Logger } from "./logger.js";

// OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set. The code
// creates spans through @opentelemetry/api everywhere; without a registered SDK they are no-ops. When on,
// this loads the SDK, exports with OTLP over HTTP in batches, and takes the W3C traceparent of incoming
// requests. The SDK itself reads the standard OTEL_* variables it knows (sampler, exporter headers, timeouts).
//
// Spans: one per HTTP request (SERVER, named "query Viewer" once the operation is known), with the
// operation's type, name, organization and user; one `db.transaction` per tenant transaction with the time
// it waited for a pooled connection.

export interface Tracing {
  /** Flushes pending spans and stops exporting (shutdown). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Export somewhere else than OTLP (tests use an in-memory exporter). */
  exporter?: SpanExporter;
  /** Export each span as it ends instead of in batches (tests). */
  immediate?: boolean;
  logger?: Logger;
}

export async function startTracing(
  config: TracingConfig | undefined,
  options: TracingOptions = {},
): Promise<Tracing | undefined> {
  if (!config && !options.exporter) return undefined;
  const { NodeTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } = await import("@opentelemetry/sdk-trace-node");
  const { resourceFromAttributes } = await import("@opentelemetry/resources");
  let exporter = options.exporter;
  if (!exporter) {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    exporter = new OTLPTraceExporter(config ? { url: config.endpoint } : {});
  }
  const processor = options.immediate ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": config?.serviceName ?? "trovella-gateway" }),
    spanProcessors: [processor],
  });
  provider.register();
  // The endpoint only: exporter headers (OTEL_EXPORTER_OTLP_HEADERS) usually hold an API key.
  options.logger?.info({ endpoint: config?.endpoint ?? "custom exporter" }, "tracing on (OpenTelemetry)");
  return {
    shutdown: async () => {
      try {
        await provider.shutdown();
      } catch (error) {
        options.logger?.warn({ err: error }, "tracing: could not flush the last spans");
      }
    },
  };
}
