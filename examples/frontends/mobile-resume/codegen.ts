import type { CodegenConfig } from "@graphql-codegen/cli";

// Types and typed documents from the checked-in SDL (no running server needed).
// CODEGEN_OUT lets `npm run codegen:check` generate into a scratch folder and compare.
const out = process.env.CODEGEN_OUT ?? "src/gql/";

const config: CodegenConfig = {
  schema: "../../../schema/schema.graphql",
  documents: ["src/**/*.ts", "!src/gql/**"],
  ignoreNoDocuments: false,
  generates: {
    [out]: {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { Decimal: "string", DateTime: "string", JSON: "unknown" },
      },
    },
  },
};

export default config;
