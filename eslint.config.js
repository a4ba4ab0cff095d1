// Lint with no warnings allowed (`npm run lint` passes --max-warnings 0).
import eslint from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    // Generated code is checked by the golden and type-check tests instead.
    ignores: ["**/dist/**", "golden/**", "src/gen/**", "packages/runtime/src/reflection/gen/**", "packages/runtime/src/error-details/gen/**", "test/e2e/health/gen/**", "demo/gen/**", "node_modules/**", "scratch/**", "bench/codegen/vendor/**", "test/fixtures/consumer/**", "test/fixtures/readme-programs/**"],
  },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js", "scripts/*.mjs", "packages/*/bin/*.js"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // `async *handler()` without await is how a handler streams what it has at hand.
      "@typescript-eslint/require-await": "off",
      // Misfires on ts-morph's node classes, which are built by factories.
      "@typescript-eslint/no-unsafe-class-instance-assignment": "off",
    },
  },
  {
    // protoc-gen-es is loaded as CommonJS, so its @bufbuild/protobuf enums are the same
    // enums under CommonJS typings; the rule cannot tell.
    files: ["test/**/*.ts", "scripts/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-enum-assignment": "off" },
  },
  {
    // The demo imports demo/gen, which exists only after `npm run demo` generated it;
    // scripts/demo.mjs type-checks it then.
    files: ["**/*.js", "**/*.mjs", "demo/**/*.ts", "test/generator/clash.test.ts"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node, parserOptions: { projectService: false, project: null } },
  },
);
