import { hashPassword } from "better-auth/crypto";
import { eq, sql } from "drizzle-orm";
import * as schema from "../../../../schema/index.js";
import { displayPrefix, hashTokenSecret } from "../../auth/token-secrets.js";
import type { Database } from "../database.js";
import { connectionsOf } from "../internal.js";
import type { TenantTransaction } from "../tenant.js";
import {
  DEMO_PASSWORD,
  DEMO_TOKEN,
  type DemoOrganization,
  demoModels,
  demoOrganizations,
  demoUsers,
  researchTopics,
  stepTemplates,
} from "./demo-data.js";
import { embeddingNear, seededRandom, topicEmbedding } from "./embeddings.js";

export { DEMO_PASSWORD, DEMO_TOKEN, demoOrganizations, demoUsers } from "./demo-data.js";

export interface SeedResult {
  /** False when the demo data was already there (seeding is idempotent). */
  created: boolean;
}

/**
 * Creates the demo world. Reference data goes in as the owner, identity through Better Auth's handle (as
 * Better Auth itself would), and each organization's research data through withTenantContext() as that
 * organization's owner: organization_id comes from the tenant setting, exactly as in production.
 */
export async function seedDemoData(
  database: Database,
  onProgress: (message: string) => void = () => {},
): Promise<SeedResult> {
  const { owner, auth } = connectionsOf(database);
  const existing = await auth
    .select({ id: schema.organization.id })
    .from(schema.organization)
    .where(eq(schema.organization.id, demoOrganizations[0]?.id ?? ""));
  if (existing.length > 0) {
    onProgress("seed: demo data already present, nothing to do");
    return { created: false };
  }

  onProgress("seed: AI models and pricing");
  await owner.transaction(async (tx) => {
    for (const model of demoModels) {
      const { prices, ...row } = model;
      await tx.insert(schema.aiModel).values(row);
      await tx.insert(schema.aiModelPricing).values(
        prices.map((price, index) => ({
          id: `${model.id}-price-${index + 1}`,
          modelId: model.id,
          inputPricePerToken: price.input,
          outputPricePerToken: price.output,
          validFrom: new Date(price.from),
          validTo: price.to ? new Date(price.to) : null,
        })),
      );
    }
  });

  onProgress("seed: users, organizations, memberships, demo token");
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await auth.transaction(async (tx) => {
    for (const user of Object.values(demoUsers)) {
      await tx.insert(schema.user).values({ ...user, emailVerified: true });
      await tx.insert(schema.account).values({
        id: `${user.id}-credential`,
        accountId: user.id,
        providerId: "credential",
        userId: user.id,
        password: passwordHash,
      });
    }
    for (const org of demoOrganizations) {
      await tx.insert(schema.organization).values({ id: org.id, name: org.name, slug: org.slug, type: org.type });
      await tx.insert(schema.member).values(
        org.members.map((m) => ({
          id: `${org.id}-member-${m.user}`,
          organizationId: org.id,
          userId: demoUsers[m.user].id,
          role: m.role,
        })),
      );
    }
    await tx.insert(schema.personalAccessToken).values({
      id: "demo-token-alice",
      userId: demoUsers.alice.id,
      name: "Demo token (development only)",
      tokenHash: hashTokenSecret(DEMO_TOKEN),
      tokenPrefix: displayPrefix(DEMO_TOKEN),
      scopes: [...schema.tokenScopes],
    });
  });

  for (const org of demoOrganizations) {
    const ownerMember = org.members.find((m) => m.role === "owner") ?? org.members[0];
    if (!ownerMember) continue;
    const userId = demoUsers[ownerMember.user].id;
    onProgress(`seed: ${org.name}: ${org.planCount} research plans with steps, artifacts, chunks and usage`);
    await database.withTenantContext({ organizationId: org.id, userId }, (tx) => seedOrganization(tx, org, userId));
  }
  onProgress("seed: done");
  return { created: true };
}

async function seedOrganization(tx: TenantTransaction, org: DemoOrganization, authorId: string): Promise<void> {
  const random = seededRandom(org.id);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const statuses = ["draft", "running", "completed", "completed", "failed", "cancelled"] as const;
  const baseTime = Date.parse("2026-09-01T09:00:00Z");
  const chatModel = demoModels[0];
  const embeddingModel = demoModels[2];
  if (!chatModel || !embeddingModel) throw new Error("demo models missing");

  for (let p = 1; p <= org.planCount; p++) {
    const planId = `${org.id}-plan-${String(p).padStart(2, "0")}`;
    const topic = researchTopics[(p - 1 + org.slug.length) % researchTopics.length] ?? "Research";
    const status = statuses[p % statuses.length] ?? "draft";
    const createdAt = new Date(baseTime + p * 86_400_000);
    await tx.insert(schema.researchPlan).values({
      id: planId,
      title: topic,
      description: `${org.name}'s investigation into ${topic.toLowerCase()}.`,
      status,
      authorId,
      createdAt,
      updatedAt: new Date(createdAt.getTime() + 3_600_000),
      startedAt: status === "draft" ? null : createdAt,
      completedAt: status === "completed" ? new Date(createdAt.getTime() + 7_200_000) : null,
    });
    await tx.insert(schema.planAuditLog).values({
      id: `${planId}-audit-1`,
      planId,
      actorId: authorId,
      action: "plan_created",
      diff: { before: null, after: { title: topic, status: "draft" } },
      createdAt,
    });

    const stepCount = 3 + Math.floor(random() * 4);
    const stepIds: string[] = [];
    for (let s = 1; s <= stepCount; s++) {
      const stepId = `${planId}-step-${s}`;
      stepIds.push(stepId);
      const done = status === "completed" || (status !== "draft" && s < stepCount / 2);
      await tx.insert(schema.planStep).values({
        id: stepId,
        planId,
        position: s,
        title: stepTemplates[(s - 1) % stepTemplates.length] ?? `Step ${s}`,
        instructions: `Step ${s} of ${topic.toLowerCase()}.`,
        status: done ? "completed" : "pending",
        stepExecutionReport: done
          ? { summary: `Finished step ${s}.`, durationMs: 1000 + Math.floor(random() * 60_000), tokensUsed: 2000 }
          : null,
      });
    }
    for (let s = 0; s < stepIds.length - 1; s++) {
      await tx.insert(schema.planBranchingCondition).values({
        id: `${stepIds[s]}-next`,
        stepId: stepIds[s] as string,
        targetStepId: stepIds[s + 1] as string,
        label: "on success",
        rule: { kind: "status", equals: "completed" },
      });
    }
    if (stepIds.length > 2) {
      await tx.insert(schema.planBranchingCondition).values({
        id: `${stepIds[0]}-retry`,
        stepId: stepIds[1] as string,
        targetStepId: stepIds[0] as string,
        label: "on failure, revisit the questions",
        rule: { kind: "status", equals: "failed" },
        priority: 1,
      });
    }

    const centre = topicEmbedding(topic);
    for (let a = 1; a <= 2; a++) {
      const artifactId = `${planId}-artifact-${a}`;
      const content = `${topic}: source ${a}. ${pick(["Survey", "Report", "Dataset", "Paper"])} summarising recent evidence.`;
      await tx.insert(schema.researchArtifact).values({
        id: artifactId,
        planId,
        stepId: stepIds[1] ?? null,
        kind: a === 1 ? "document" : "web_page",
        title: `${topic} — source ${a}`,
        sourceUri: `https://example.test/${org.slug}/${p}/${a}`,
        mimeType: a === 1 ? "application/pdf" : "text/html",
        content,
        byteSize: content.length,
        metadata: { language: "en", tags: [org.slug, "demo"] },
      });
      await tx.insert(schema.documentChunk).values(
        [0, 1, 2].map((chunkIndex) => ({
          id: `${artifactId}-chunk-${chunkIndex}`,
          artifactId,
          chunkIndex,
          content: `${topic} (${org.name}), source ${a}, passage ${chunkIndex + 1}.`,
          tokenCount: 40 + chunkIndex * 5,
          embedding: embeddingNear(centre, `${artifactId}-${chunkIndex}`),
          metadata: { heading: `Passage ${chunkIndex + 1}` },
        })),
      );
      await tx.insert(schema.extractionResult).values({
        id: `${artifactId}-extraction`,
        artifactId,
        extractionSchema: {
          name: "key-figures",
          fields: [
            { name: "headline", type: "string" },
            { name: "year", type: "number" },
          ],
        },
        values: { headline: `${topic} at a glance`, year: 2026 },
        confidence: 0.8,
      });
    }

    const executionId = `${planId}-skill-1`;
    await tx.insert(schema.skillExecution).values({
      id: executionId,
      planId,
      stepId: stepIds[1] ?? null,
      skillName: "web-research",
      status: status === "failed" ? "failed" : "succeeded",
      input: { query: topic },
      output: { sources: 2 },
      errorMessage: status === "failed" ? "source unavailable" : null,
      startedAt: createdAt,
      finishedAt: new Date(createdAt.getTime() + 90_000),
    });
    await tx.insert(schema.mcpToolCallLog).values(
      ["search", "fetch"].map((toolName, i) => ({
        id: `${executionId}-call-${i + 1}`,
        skillExecutionId: executionId,
        serverName: "web",
        toolName,
        status: "success" as const,
        durationMs: 200 + i * 150,
        metadata: { arguments: { query: topic }, resultPreview: "2 results", transport: "http" as const },
      })),
    );

    if (status === "completed") {
      const outputId = `${planId}-output`;
      await tx.insert(schema.researchOutput).values({
        id: outputId,
        planId,
        title: `${topic}: findings`,
        content: `# ${topic}\n\nKey findings of ${org.name}.`,
        resultSummary: { headline: `${topic} in brief`, keyFindings: ["Finding one", "Finding two"], confidence: 0.7 },
        publishedAt: new Date(createdAt.getTime() + 7_200_000),
      });
      await tx.insert(schema.researchFeedback).values({
        id: `${outputId}-feedback`,
        outputId,
        authorId,
        rating: 4,
        comment: "Clear and well sourced.",
      });
    }

    const batchId = `${planId}-batch`;
    await tx.insert(schema.aiBatch).values({
      id: batchId,
      planId,
      modelId: embeddingModel.id,
      status: "completed",
      requestCount: 6,
      completedCount: 6,
      submittedAt: createdAt,
      completedAt: new Date(createdAt.getTime() + 60_000),
    });
    for (let u = 0; u < stepIds.length; u++) {
      const occurredAt = new Date(createdAt.getTime() + u * 600_000);
      const inputTokens = 500 + Math.floor(random() * 3000);
      const outputTokens = 100 + Math.floor(random() * 800);
      const usageId = `${planId}-usage-${u + 1}`;
      await tx.insert(schema.aiUsage).values({
        id: usageId,
        modelId: chatModel.id,
        userId: authorId,
        planId,
        stepId: stepIds[u] ?? null,
        batchId: u === 0 ? batchId : null,
        inputTokens,
        outputTokens,
        costUsd: sql`${schema.usageCostSql(chatModel.id, inputTokens, outputTokens, occurredAt)}`,
        occurredAt,
      });
      await tx.insert(schema.aiCallDetails).values({
        id: `${usageId}-details`,
        usageId,
        requestMetadata: { temperature: 0.2, maxTokens: 1024, finishReason: "stop", toolNames: ["search"] },
        latencyMs: 400 + Math.floor(random() * 2000),
      });
    }
  }
}
