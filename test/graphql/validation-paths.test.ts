import { describe, expect, it } from "vitest";
import { z } from "zod";
import { GatewayError } from "../../src/platform/errors.js";
import { parseInput } from "../../src/schema-builder/validation.js";

describe("input validation", () => {
  it("names a nested field by its dotted path", () => {
    const schema = z.object({ input: z.object({ steps: z.array(z.object({ title: z.string().min(1) })) }) });
    let refused: unknown;
    try {
      parseInput(schema, { input: { steps: [{ title: "ok" }, { title: "" }] } });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(GatewayError);
    const error = refused as GatewayError;
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.details).toMatchObject({ field: "input.steps.1.title" });
    expect(error.message.startsWith("input.steps.1.title: ")).toBe(true);
  });
});
