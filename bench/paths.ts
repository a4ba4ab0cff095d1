import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const benchDir = fileURLToPath(new URL(".", import.meta.url));
export const resultsDir = fileURLToPath(new URL("./results/", import.meta.url));
/** The tsconfig every bench child runs under (see bench/tsconfig.json). */
export const benchTsconfig = fileURLToPath(new URL("./tsconfig.json", import.meta.url));
