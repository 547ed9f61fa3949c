import type { CodegenConfig } from "@graphql-codegen/cli";

// `npm run codegen` writes schema.graphql (the subgraph SDL, sorted; committed) and typed documents for the
// example frontend operations in test/operations/. `npm run codegen:check` fails when either is stale (CI).
const config: CodegenConfig = {
  schema: "./src/domains/api-schema-export.ts",
  documents: ["test/operations/**/*.graphql"],
  // ESM: relative imports in the generated files carry the .js extension.
  importExtension: ".js",
  generates: {
    "schema.graphql": {
      plugins: ["schema-ast"],
      config: { includeDirectives: true, sort: true },
    },
    "test/operations/generated/": {
      preset: "client",
      // persisted-documents.json: the trusted-documents allowlist (hash → document; TRUSTED_DOCUMENTS=1).
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: "sha256" } },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: "string", JSON: "unknown" },
        // The preset's default document mode (documentNodeImportFragments): the one that emits persisted documents.
      },
    },
  },
};

export default config;
