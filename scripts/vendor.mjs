// Copy the built browser files of the npm packages listed under "vendor" in package.json into
// service/static/vendor/<name>/, with each package's license. A package marked "bundles" ships one file
// that contains its dependencies too, so their licenses are gathered into THIRD-PARTY-LICENSES.txt.
// Run by `make vendor` after `npm ci`; the output is committed so a fresh machine needs no npm.
import { readFileSync, writeFileSync, mkdirSync, rmSync, copyFileSync, existsSync, readdirSync } from "node:fs";
import { join, basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const target = join(root, "service", "static", "vendor");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const LICENSE_NAMES = /^(licen[cs]e|copying)(\.(md|txt))?$/i;

function packageDir(name) {
  return join(modules, ...name.split("/"));
}

function meta(name) {
  return JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8"));
}

// The license text a package ships, or a notice built from its package.json when it ships none.
function licenseText(name) {
  const dir = packageDir(name);
  const file = readdirSync(dir).find((f) => LICENSE_NAMES.test(f));
  const info = meta(name);
  if (file) return readFileSync(join(dir, file), "utf8");
  const author = typeof info.author === "string" ? info.author : info.author?.name ?? "its authors";
  const spdx = typeof info.license === "string" ? info.license : info.license?.type ?? "UNKNOWN";
  return `${name}@${info.version} ships no license file; its package.json declares the license ${spdx}.\n` +
    `Copyright (c) ${author}. Source: ${info.homepage ?? info.repository?.url ?? "the npm registry"}\n`;
}

// Every package the named one depends on, transitively, as installed in node_modules.
function dependencies(name, seen = new Set()) {
  for (const dep of Object.keys(meta(name).dependencies ?? {})) {
    if (seen.has(dep) || !existsSync(packageDir(dep))) continue;
    seen.add(dep);
    dependencies(dep, seen);
  }
  return seen;
}

const versions = {};
for (const [name, spec] of Object.entries(manifest.vendor)) {
  const out = join(target, name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const file of spec.files) copyFileSync(join(packageDir(spec.package), file), join(out, basename(file)));
  writeFileSync(join(out, "LICENSE"), licenseText(spec.package));
  if (spec.bundles) {
    const parts = [...dependencies(spec.package)].sort().map((dep) => {
      const info = meta(dep);
      const spdx = typeof info.license === "string" ? info.license : info.license?.type ?? "UNKNOWN";
      return `==== ${dep}@${info.version} (${spdx}) ====\n\n${licenseText(dep).trim()}\n`;
    });
    writeFileSync(join(out, "THIRD-PARTY-LICENSES.txt"),
      `Packages bundled into ${spec.files.map((f) => basename(f)).join(", ")} by ${spec.package}:\n\n` + parts.join("\n"));
  }
  versions[name] = { package: spec.package, version: meta(spec.package).version, files: spec.files.map((f) => basename(f)) };
}
writeFileSync(join(target, "versions.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(Object.entries(versions).map(([k, v]) => `${k}: ${v.package}@${v.version}`).join("\n"));
