import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { load } from "js-yaml";

/**
 * Validators for the OFREP spec's own schemas (../shared/specs/ofrep-openapi.yaml), by Ajv: the
 * maintained JSON Schema validator, whose 2020-12 dialect is the one OpenAPI 3.1 schemas are
 * written in, so the spec is used as published rather than re-typed by hand. Two adjustments, both
 * from the spec itself: OpenAPI's `example` annotation and `float` format are declared, and
 * `codeDefaultFlag` is read as "an object without `value`" (its description), because as written
 * (`properties: {}`) it matches every object and makes the flag-type `oneOf` fail for any value.
 */
export function ofrepValidators(specPath = join(process.cwd(), "..", "shared", "specs", "ofrep-openapi.yaml")) {
  const spec = load(readFileSync(specPath, "utf8")) as { components: { schemas: Record<string, Record<string, unknown>> } };
  spec.components.schemas.codeDefaultFlag = { ...spec.components.schemas.codeDefaultFlag, not: { required: ["value"] } };
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  ajv.addKeyword("example");
  // The schemas are addressed inside the spec's own document, where they live.
  ajv.addKeyword("components");
  ajv.addFormat("float", true);
  ajv.addSchema({ $id: "ofrep", components: spec.components });
  const cache = new Map<string, ValidateFunction>();
  return (schema: string, value: unknown): string[] => {
    let validate = cache.get(schema);
    if (!validate) {
      validate = ajv.compile({ $ref: `ofrep#/components/schemas/${schema}` });
      cache.set(schema, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
  };
}
