// Validates a custom-elements manifest against the published schema (npm `custom-elements-manifest`).
// Usage: node validate-manifest.mjs <custom-elements.json>
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import Ajv from "ajv";

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve("custom-elements-manifest/schema.json"), "utf8"));
const manifest = JSON.parse(readFileSync(process.argv[2], "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
// The whole manifest against the schema. A declaration there is any of several kinds, and a plain
// class declaration admits any extra keys, so the element is also held to the custom-element kind.
const validateManifest = ajv.compile(schema);
const validateElement = ajv.compile({ $ref: "#/definitions/CustomElementDeclaration", definitions: schema.definitions });
const elementOf = (manifest) =>
  manifest.modules.flatMap((module) => module.declarations).find((declaration) => declaration.customElement);
const check = (manifest) =>
  [
    [validateManifest, manifest],
    [validateElement, elementOf(manifest)],
  ].flatMap(([validate, value]) => (validate(value) ? [] : validate.errors));

// The check must be able to fail: the same manifest with an event missing its type does not pass.
const broken = structuredClone(manifest);
delete elementOf(broken).events[0].type;
if (check(broken).length === 0) {
  console.error("the schema accepted an event without a type: the check proves nothing");
  process.exit(1);
}
const errors = check(manifest);
if (errors.length > 0) {
  console.error(`${process.argv[2]} does not match the Custom Elements Manifest schema:`);
  for (const error of errors) console.error(`  ${error.instancePath || "/"} ${error.message}`);
  process.exit(1);
}
const element = elementOf(manifest);
console.log(
  `✓ ${process.argv[2]}: schema ${manifest.schemaVersion}, <${element.tagName}> with ${element.attributes.length} attributes, ` +
    `${element.events.length} events, ${element.cssProperties.length} CSS properties, ${element.cssParts.length} parts`,
);
