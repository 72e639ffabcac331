// The Babel set-up of a typical TypeScript + Jest project: TypeScript stripped, modules to CommonJS.
module.exports = {
  presets: [["@babel/preset-env", { targets: { node: "current" } }], "@babel/preset-typescript"],
};
