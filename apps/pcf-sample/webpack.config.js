// Merged into pcf-scripts' webpack config (featureconfig.json: pcfAllowCustomWebpack). In this
// workspace @xrm-offline/* resolve to their TypeScript sources, whose relative imports end in
// ".ts"; ts-loader emits them as ".js" (rewriteRelativeImportExtensions), so ".js" must find ".ts".
module.exports = {
  resolve: { extensionAlias: { ".js": [".ts", ".js"] } },
};
