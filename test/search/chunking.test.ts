import { describe, expect, it } from "vitest";
import { chunkText, countTokens } from "../../src/domains/search/chunking.js";
import { chunksForIngestion, maxIngestTextLength } from "../../src/domains/search/ingestion.js";

// The chunker and its token approximation: pure functions, no database.

describe("countTokens", () => {
  it.each([
    ["", 0],
    ["   \n\t ", 0],
    ["the", 1],
    ["research", 2],
    ["summarising", 3],
    ["Hello, world!", 6], // Hello 2, "," 1, world 2, "!" 1
  ])("counts %j as %i", (text, expected) => {
    expect(countTokens(text)).toBe(expected);
  });

  it("counts each CJK character as a token, and symbols one by one", () => {
    expect(countTokens("東京都")).toBe(3);
    expect(countTokens("a+b=c")).toBe(5);
    expect(countTokens("3.14")).toBe(3);
  });
});

describe("chunkText", () => {
  const sentence = (i: number) => `Sentence number ${i} talks about battery recycling economics.`;

  it("keeps a short text in one chunk, with offsets into the text as given", () => {
    const text = "  First sentence. Second one!\n";
    const [chunk, ...rest] = chunkText(text);
    expect(rest).toEqual([]);
    expect(chunk).toMatchObject({ index: 0, content: "First sentence. Second one!", startOffset: 2, endOffset: 29 });
    expect(chunk?.tokenCount).toBe(countTokens("First sentence. Second one!"));
    expect(text.slice(chunk?.startOffset, chunk?.endOffset)).toBe(chunk?.content);
  });

  it("packs whole sentences into chunks of at most maxTokens, in order, covering every sentence", () => {
    const text = Array.from({ length: 40 }, (_, i) => sentence(i)).join(" ");
    const chunks = chunkText(text, { maxTokens: 50 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.index).toBe(i);
      expect(chunk.tokenCount).toBeLessThanOrEqual(50);
      expect(chunk.tokenCount).toBe(countTokens(chunk.content));
      expect(chunk.content).toMatch(/^Sentence number \d+/); // starts at a sentence
      expect(chunk.content).toMatch(/economics\.$/); // ends at one
      expect(text.slice(chunk.startOffset, chunk.endOffset)).toBe(chunk.content);
    }
    // Nothing lost, nothing repeated: the chunks are the text, minus the spaces between them.
    expect(chunks.map((c) => c.content).join(" ")).toBe(text);
  });

  it("is deterministic", () => {
    const text = Array.from({ length: 100 }, (_, i) => sentence(i)).join("\n");
    expect(chunkText(text)).toEqual(chunkText(text));
  });

  it("cuts an overlong sentence between words, and an overlong word between characters", () => {
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(" ");
    const chunks = chunkText(long, { maxTokens: 40 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(40);
      expect(chunk.content).not.toMatch(/^\s|\s$/);
    }
    const blob = "x".repeat(1000);
    const blobChunks = chunkText(blob, { maxTokens: 10 });
    expect(blobChunks.map((c) => c.content).join("")).toBe(blob);
    for (const chunk of blobChunks) expect(chunk.tokenCount).toBeLessThanOrEqual(10);
  });

  it("starts a chunk at each Markdown heading and carries the heading to the chunks under it", () => {
    const text = [
      "Preface without heading.",
      "",
      "# Methods",
      "",
      ...Array.from({ length: 12 }, (_, i) => sentence(i)),
      "",
      "## Results",
      "Results are in.",
    ].join("\n");
    const chunks = chunkText(text, { maxTokens: 60 });
    expect(chunks[0]).toMatchObject({ content: "Preface without heading." });
    expect(chunks[0]?.heading).toBeUndefined();
    const methods = chunks.filter((c) => c.heading === "Methods");
    expect(methods.length).toBeGreaterThan(1);
    expect(methods[0]?.content.startsWith("# Methods")).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ heading: "Results", content: "## Results\nResults are in." });
  });

  it("gives no chunks for whitespace", () => {
    expect(chunkText(" \n\n ")).toEqual([]);
  });
});

describe("chunksForIngestion", () => {
  it.each([
    ["empty text", "   ", /text: must not be empty/],
    ["control characters", "bad\u0000text", /control characters/],
    ["too long text", "a ".repeat(maxIngestTextLength), /at most/],
  ])("refuses %s as BAD_USER_INPUT", (_label, text, message) => {
    expect(() => chunksForIngestion(text)).toThrow(message);
    try {
      chunksForIngestion(text);
    } catch (error) {
      expect(error).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "text" } });
    }
  });
});
