/** The generator's version, printed in every generated file's preamble (a test keeps it equal to its package.json). */
export const VERSION = "0.1.0";
