// pcf-scripts runs ESLint before bundling; this repository lints with Biome (biome.json), so
// ESLint is given nothing to check.
export default [{ ignores: ["**/*"] }];
