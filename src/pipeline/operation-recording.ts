import { trace } from "@opentelemetry/api";
import type { Plugin } from "graphql-yoga";
import type { Principal } from "../platform/auth/principal.js";
import { currentRequestContext, type OperationRecord } from "../platform/observability/request-context.js";
import type { PipelineContext } from "./operation-analysis.js";

// Records what the app's operation log line and metrics need about a GraphQL operation into the request
// context: its name and type (from the request's operation analysis, as validation starts), who called for
// which tenant (once the context is built), and the codes of the errors of its result (already masked).
// app.ts writes the line when the response is ready. Nothing here reads variables or headers.

const errorCodePattern = /^[A-Z][A-Z0-9_]{0,49}$/;

function record(): OperationRecord | undefined {
  return currentRequestContext()?.operation;
}

function codeOf(error: unknown): string {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  if (typeof code !== "string") return "GRAPHQL_ERROR";
  return errorCodePattern.test(code) ? code : "OTHER";
}

/** Reads the operation analysis: after useOperationAnalysis() in the plugin list. */
export function useOperationRecording(): Plugin<PipelineContext> {
  return {
    onParams({ params }) {
      const context = currentRequestContext();
      if (!context) return;
      const requested = typeof params.operationName === "string" ? params.operationName : null;
      context.operation = { name: requested, type: null, organizationId: null, userId: null, errorCodes: [] };
    },
    onValidate({ context }) {
      const operation = record();
      const definition = context.operationAnalysis?.definition;
      if (!operation || !definition) return;
      operation.name = definition.name?.value ?? null;
      operation.type = definition.operation;
      const span = trace.getActiveSpan();
      span?.updateName(`${definition.operation} ${operation.name ?? "anonymous"}`);
      span?.setAttributes({
        "graphql.operation.type": definition.operation,
        ...(operation.name ? { "graphql.operation.name": operation.name } : {}),
      });
    },
    onContextBuilding() {
      return ({ context }) => {
        const operation = record();
        const principal = (context as { principal?: Principal | null }).principal;
        if (!operation || !principal) return;
        operation.organizationId = principal.organizationId;
        operation.userId = principal.userId;
        const span = trace.getActiveSpan();
        span?.setAttributes({
          ...(principal.organizationId ? { "trovella.organization_id": principal.organizationId } : {}),
          "enduser.id": principal.userId,
        });
      };
    },
    onResultProcess({ result }) {
      const operation = record();
      if (!operation || Array.isArray(result) || Symbol.asyncIterator in result) return;
      operation.errorCodes = (result.errors ?? []).map(codeOf);
    },
  };
}
