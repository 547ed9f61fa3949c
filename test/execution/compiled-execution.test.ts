import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parse } from "graphql";
import { createSchema, createYoga } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSchema } from "../../src/domains/api-schema.js";
import type { App } from "../../src/http/app.js";
import { CompiledDocuments, useCompiledExecution } from "../../src/pipeline/compiled-execution.js";
import { useTenantTransaction } from "../../src/pipeline/tenant-transaction.js";
import { ConfigError, loadConfig } from "../../src/platform/config/index.js";
import type { CompiledExecutionObserver, FallbackReason } from "../../src/platform/observability/metrics.js";
import { acme, dataOf } from "../graphql/helpers.js";
import { backendName } from "../support/database.js";
import { createTestGateway, demoPat, type TestGateway } from "../support/gateway.js";

// Compiled execution (EXECUTION=jit, src/pipeline/compiled-execution.ts): the switch, the bounded cache of
// compiled documents, the fallback to graphql-js and its count, and that the compiled query runs inside the
// tenant transaction. What it answers, operation by operation, is the differential test's (differential.test.ts).

async function metricValue(app: App, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = app.metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))
    .reduce((sum, value) => sum + value.value, 0);
}

describe("the EXECUTION switch", () => {
  it("graphql-js unless EXECUTION=jit; EXECUTION_CACHE_SIZE bounds the compiled documents", () => {
    expect(loadConfig({}).execution).toEqual({ executor: "graphql-js", compiledDocuments: 1000 });
    expect(loadConfig({ EXECUTION: "jit", EXECUTION_CACHE_SIZE: "50" }).execution).toEqual({
      executor: "jit",
      compiledDocuments: 50,
    });
  });

  it("an unknown executor or cache size is refused at start, in one sentence each", () => {
    let problems: readonly string[] = [];
    try {
      loadConfig({ EXECUTION: "fast", EXECUTION_CACHE_SIZE: "0" });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    expect(problems).toEqual([
      'EXECUTION must be one of graphql-js, jit, got "fast"',
      'EXECUTION_CACHE_SIZE must be a whole number from 1 to 100000, got "0"',
    ]);
  });
});

describe(`compiled execution through the gateway on ${backendName}`, () => {
  let gw: TestGateway;
  const capacity = 3;

  beforeAll(async () => {
    gw = await createTestGateway({ execution: { executor: "jit", compiledDocuments: capacity } });
  });
  afterAll(() => gw?.cleanup());

  const plans = (alias: string) =>
    `query Plans { ${alias}: researchPlans(first: 2) { totalCount nodes { id title } } }`;
  const lookups = async () => ({
    hit: await metricValue(gw.app, "graphql_compiled_lookups_total", { result: "hit" }),
    miss: await metricValue(gw.app, "graphql_compiled_lookups_total", { result: "miss" }),
  });

  it("a compiled query reads the tenant's rows inside the tenant transaction, compiled once, then reused", async () => {
    const before = await lookups();
    const { result, statements } = await gw.countStatements(() =>
      gw.graphql<Record<string, { totalCount: number }>>({ query: plans("a") }, demoPat, { organizationId: acme }),
    );
    const first = dataOf(result);
    const second = dataOf(
      await gw.graphql<Record<string, { totalCount: number }>>({ query: plans("a") }, demoPat, {
        organizationId: acme,
      }),
    );
    // Resolvers read ctx.tx: without the transaction around the compiled query they would fail.
    expect(first.a?.totalCount).toBeGreaterThan(0);
    expect(second).toEqual(first);
    expect(await lookups()).toEqual({ hit: before.hit + 1, miss: before.miss + 1 });
    expect(statements.some((statement) => /set_config/i.test(statement))).toBe(true);
  });

  it("holds at most EXECUTION_CACHE_SIZE documents: the least recently used is compiled again", async () => {
    const aliases = Array.from({ length: capacity * 4 }, (_, i) => `p${i}`);
    for (const alias of aliases) {
      dataOf(await gw.graphql({ query: plans(alias) }, demoPat, { organizationId: acme }));
    }
    expect(await metricValue(gw.app, "graphql_compiled_documents")).toBe(capacity);
    const before = await lookups();
    // The last one is held; the first was evicted long ago.
    dataOf(await gw.graphql({ query: plans(aliases.at(-1) as string) }, demoPat, { organizationId: acme }));
    dataOf(await gw.graphql({ query: plans(aliases[0] as string) }, demoPat, { organizationId: acme }));
    expect(await lookups()).toEqual({ hit: before.hit + 1, miss: before.miss + 1 });
    expect(await metricValue(gw.app, "graphql_compiled_documents")).toBe(capacity);
  });

  it("variables that do not coerce are reported by graphql-js, word for word, and counted as a fallback", async () => {
    const query = "query Page($first: Int!) { researchPlans(first: $first) { totalCount } }";
    const before = await metricValue(gw.app, "graphql_compiled_fallbacks_total", { reason: "variables" });
    const compiled = await gw.graphql({ query, variables: { first: "many" } }, demoPat, { organizationId: acme });
    const plain = await createTestGateway({ execution: { executor: "graphql-js", compiledDocuments: 1 } });
    try {
      const reference = await plain.graphql({ query, variables: { first: "many" } }, demoPat, { organizationId: acme });
      expect(compiled.status).toBe(reference.status);
      expect(compiled.errors?.map(({ message, extensions }) => ({ message, code: extensions?.code }))).toEqual(
        reference.errors?.map(({ message, extensions }) => ({ message, code: extensions?.code })),
      );
    } finally {
      await plain.cleanup();
    }
    expect(await metricValue(gw.app, "graphql_compiled_fallbacks_total", { reason: "variables" })).toBe(before + 1);
  });
});

describe("the compiled documents' memory", () => {
  it("compiling many more distinct documents than the cache holds leaves the cache at its size and the heap flat", () => {
    setFlagsFromString("--expose-gc");
    const collectGarbage = runInNewContext("gc") as () => void;
    const schema = buildSchema({ federation: true });
    const capacity = 50;
    const documents = new CompiledDocuments(capacity);
    const compileDistinct = (count: number, from: number) => {
      for (let i = from; i < from + count; i++) {
        const document = parse(
          `query Page${i} { researchPlans(first: ${(i % 100) + 1}) { totalCount nodes { id title steps(first: 3) { nodes { id title } } } } }`,
        );
        expect(documents.compiled(schema, document, `Page${i}`)).toBeDefined();
      }
    };
    // Warm up (the schema's own lazily built parts, the compiler's code), then measure.
    compileDistinct(capacity * 2, 0);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    compileDistinct(capacity * 20, capacity * 2);
    collectGarbage();
    const grownMegabytes = (process.memoryUsage().heapUsed - before) / 1e6;
    console.info(
      `compiled ${capacity * 20} documents into a cache of ${capacity}: the heap grew ${grownMegabytes.toFixed(1)} MB`,
    );
    expect(documents.size).toBe(capacity);
    expect(grownMegabytes).toBeLessThan(15);
  }, 120_000);
});

describe("graphql-jit's own defects, patched (patches/graphql-jit+0.8.9.patch)", () => {
  it("a list item that fails before an earlier one resolves is null in its own place, as graphql-js answers", async () => {
    const schema = createSchema({
      typeDefs: "type Query { items: [Item] } type Item { n: Int }",
      resolvers: {
        Query: {
          items: () => [
            new Promise((resolve) => setTimeout(() => resolve({ n: 1 }), 20)),
            Promise.reject(new Error("the second item failed")),
            { n: 3 },
          ],
        },
      },
    });
    const answer = async (plugins: Parameters<typeof createYoga>[0]["plugins"]) => {
      const yoga = createYoga({ schema, logging: false, maskedErrors: false, plugins });
      const response = await yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ items { n } }" }),
      });
      return response.json();
    };
    const compiled = await answer([useCompiledExecution({ documents: new CompiledDocuments(10) })]);
    expect(compiled).toEqual(await answer([]));
    expect(compiled).toMatchObject({ data: { items: [{ n: 1 }, null, { n: 3 }] }, errors: [{ path: ["items", 1] }] });
  });
});

describe("a document graphql-jit cannot compile", () => {
  const schema = createSchema<{ tx?: unknown }>({
    typeDefs: "type Query { inTransaction: Boolean! }",
    resolvers: { Query: { inTransaction: (_root, _args, context) => context.tx !== undefined } },
  });

  it("runs on graphql-js inside the tenant transaction, counted each time, compiled only once", async () => {
    let compilations = 0;
    const refusing = (() => {
      compilations++;
      return { errors: [] };
    }) as unknown as ConstructorParameters<typeof CompiledDocuments>[1];
    const counted: { lookups: boolean[]; fallbacks: FallbackReason[] } = { lookups: [], fallbacks: [] };
    const observer: CompiledExecutionObserver = {
      lookup: (hit) => counted.lookups.push(hit),
      fallback: (reason) => counted.fallbacks.push(reason),
    };
    const transactions: unknown[] = [];
    const database = {
      withTenantContext: async <T>(context: unknown, fn: (tx: unknown) => Promise<T>) => {
        transactions.push(context);
        return fn({ fake: "transaction" });
      },
    } as unknown as Parameters<typeof useTenantTransaction>[0];
    const yoga = createYoga({
      schema,
      logging: false,
      plugins: [
        useCompiledExecution({ documents: new CompiledDocuments(10, refusing), observer }),
        useTenantTransaction(database),
      ],
    });
    for (let i = 0; i < 2; i++) {
      const response = await yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ inTransaction }" }),
      });
      expect(await response.json()).toEqual({ data: { inTransaction: true } });
    }
    expect(compilations).toBe(1);
    expect(counted).toEqual({ lookups: [false, true], fallbacks: ["not_compiled", "not_compiled"] });
    expect(transactions).toHaveLength(2);
  });
});
