/** The package version, printed in every generated file's preamble (a test keeps it equal to package.json). */
export const VERSION = "0.1.0";
