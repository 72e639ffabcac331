// A Jest transformer for this repository's TypeScript sources (ESM, `.ts` import extensions):
// esbuild strips the types and keeps `import`/`export` when Jest runs ES modules.
const { transformSync } = require("esbuild");

module.exports = {
  process(source, filename, options) {
    const result = transformSync(source, {
      loader: "ts",
      format: options.supportsStaticESM ? "esm" : "cjs",
      target: "node20",
      sourcemap: "inline",
      sourcefile: filename,
    });
    return { code: result.code };
  },
};
